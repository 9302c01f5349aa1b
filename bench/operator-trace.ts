// Loaded into the operator under test to find where a copy's latency goes:
//   npm run bench -- --scenarios latency \
//     --node-options "--max-semi-space-size=2 --import=file://$PWD/bench/operator-trace.ts?dir=/tmp/trace"
// It records, with epoch-ms timestamps, every garbage-collector pause and every HTTP request
// the operator makes (undici's diagnostics channels for the API server, node:http's for the
// console), and writes them at exit to DIR/trace-<pid>.json (DIR: the URL's `dir`). `node bench/latency-breakdown.ts` lines them up with
// the latency scenario's runs. Observing costs a few microseconds per request and adds no
// timer, so the operator still rests between copies as it does untraced.
import diagnosticsChannel from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';

export interface TraceRequest {
  lib: 'undici' | 'http';
  method: string;
  path: string;
  start: number;
  /** Response headers received. */
  headers?: number;
  /** Response body read to the end. */
  end?: number;
  status?: number;
}

export interface TraceGc {
  at: number;
  ms: number;
  kind: string;
}

export interface Trace {
  gcs: TraceGc[];
  requests: TraceRequest[];
}

const epoch = () => performance.timeOrigin + performance.now();
const GC_KINDS: Record<number, string> = {
  1: 'scavenge',
  2: 'minor-mark-sweep',
  4: 'mark-compact',
  8: 'incremental',
  16: 'weak-callbacks',
};

const trace: Trace = { gcs: [], requests: [] };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
    trace.gcs.push({
      at: performance.timeOrigin + entry.startTime,
      ms: entry.duration,
      kind: GC_KINDS[kind] ?? String(kind),
    });
  }
}).observe({ entryTypes: ['gc'] });

const byRequest = new WeakMap<object, TraceRequest>();
const begin = (lib: TraceRequest['lib'], request: { method: string; path: string }) => {
  const entry: TraceRequest = {
    lib,
    method: request.method,
    path: request.path.split('?')[0] ?? '',
    start: epoch(),
  };
  byRequest.set(request, entry);
  trace.requests.push(entry);
};
diagnosticsChannel.subscribe('undici:request:create', (message) => {
  begin('undici', (message as { request: { method: string; path: string } }).request);
});
diagnosticsChannel.subscribe('undici:request:headers', (message) => {
  const { request, response } = message as { request: object; response: { statusCode: number } };
  const entry = byRequest.get(request);
  if (entry) Object.assign(entry, { headers: epoch(), status: response.statusCode });
});
diagnosticsChannel.subscribe('undici:request:trailers', (message) => {
  const entry = byRequest.get((message as { request: object }).request);
  if (entry) entry.end = epoch();
});
diagnosticsChannel.subscribe('http.client.request.start', (message) => {
  begin('http', (message as { request: { method: string; path: string } }).request);
});
diagnosticsChannel.subscribe('http.client.response.finish', (message) => {
  const { request, response } = message as {
    request: object;
    response: { statusCode: number; once(event: 'end', listener: () => void): void };
  };
  const entry = byRequest.get(request);
  if (!entry) return;
  Object.assign(entry, { headers: epoch(), status: response.statusCode });
  response.once('end', () => {
    entry.end = epoch();
  });
});

const dir = new URL(import.meta.url).searchParams.get('dir');
if (dir)
  process.on('exit', () => writeFileSync(join(dir, `trace-${process.pid}.json`), JSON.stringify(trace)));
