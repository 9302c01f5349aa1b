// One console call over HTTP: read the request, record it in the ledger, draw its faults,
// delay, then either refuse before the effect or run the console logic and deliver (or
// garble, or withhold) its answer. The ledger entry always says whether the call took effect,
// whatever the client ends up seeing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatorClock } from './clock.ts';
import { type ConsoleDeps, prepareConsoleCall } from './console-api.ts';
import { type ConsoleResponse, envelopeError, serverError } from './console-responses.ts';
import type { FaultInjector, OutcomeFault } from './faults.ts';
import { htmlPage, hugeText, truncatedText, wrongTypesText } from './garbled-bodies.ts';
import { type Ledger, type LedgerCall, tokenFingerprint } from './ledger.ts';
import type { ErrorBodies } from './releases.ts';
import { bodyText } from './wire-body.ts';

export interface TransportDeps extends ConsoleDeps {
  ledger: Ledger;
  faults: FaultInjector;
  clock: SimulatorClock;
  /** Aborted when the simulator stops: pending delays end and nothing more is written. */
  stopping: AbortSignal;
}

export async function serveConsoleCall(
  deps: TransportDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const authorization = req.headers.authorization;
  const prepared = prepareConsoleCall(deps, {
    method: req.method ?? 'GET',
    pathname: url.pathname,
    query: url.searchParams,
    authorization,
    contentType: req.headers['content-type'],
    rawBody,
  });
  const entry: LedgerCall = {
    id: deps.ledger.nextCallId(),
    method: req.method ?? 'GET',
    route: prepared.route,
    path: req.url ?? '/',
    tokenFingerprint: authorization ? tokenFingerprint(authorization) : null,
    status: null,
    tookEffect: false,
    fault: null,
    time: deps.clock.now(),
  };
  deps.ledger.recordCall(entry);

  const draw = prepared.route ? deps.faults.draw(prepared.route) : { latencyMs: 0, outcome: null };
  const fault = draw.outcome;
  entry.fault = fault?.kind ?? (draw.latencyMs > 0 ? 'latency' : null);
  // Latency is the console's own processing time: like a Django view, the call runs to its end
  // even if the client has gone away meanwhile (timed out, or its process died); only the
  // answer is then lost. This is what makes "the console is still copying" testable.
  if (draw.latencyMs > 0) {
    await sleep(draw.latencyMs, undefined, { signal: deps.stopping }).catch(() => undefined);
  }
  if (deps.stopping.aborted) return;

  const send = (status: number, headers: Record<string, string>, text: string) =>
    sendWhole(entry, res, status, headers, text);

  // Before the effect: the console never sees the call.
  switch (fault?.kind) {
    case 'error-before-effect': {
      const r = faultError(fault.status, fault.body, fault.kind, deps.release.errorBodies.detail);
      return send(r.status, r.headers, bodyText(r.body));
    }
    case 'back-pressure':
    case 'insufficient-resources':
    case 'invalid-license': {
      const r = consoleRefusal(fault.kind);
      return send(r.status, r.headers, bodyText(r.body));
    }
    case 'reset-before-effect':
      return reset(req);
    case 'non-json':
      if (fault.effect === 'before')
        return send(fault.status, { 'content-type': 'text/html' }, htmlPage(fault.status));
      break;
    case 'empty-body':
      if (fault.effect === 'before') return send(fault.status, { 'content-type': 'application/json' }, '');
      break;
  }

  const result = prepared.run({
    callId: entry.id,
    ...(fault?.kind === 'partial-effect-unknown-version' ? { createLimit: fault.created } : {}),
  });
  entry.tookEffect = result.tookEffect;
  if (result.copy) deps.ledger.recordCopy(result.copy, deps.clock.now());

  await deliver(deps, req, res, entry, result.response, fault);
}

async function deliver(
  deps: TransportDeps,
  req: IncomingMessage,
  res: ServerResponse,
  entry: LedgerCall,
  response: ConsoleResponse,
  fault: OutcomeFault | null,
): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const send = (status: number, headers: Record<string, string>, text: string) =>
    sendWhole(entry, res, status, headers, text);
  switch (fault?.kind) {
    case 'error-after-effect': {
      const r = faultError(fault.status, fault.body, fault.kind, deps.release.errorBodies.detail);
      return send(r.status, r.headers, bodyText(r.body));
    }
    case 'timeout-after-effect':
      // Never answer; the client's timeout (or stop()) ends the connection.
      return;
    case 'reset-after-effect':
      return reset(req);
    case 'non-json':
      return send(fault.status, { 'content-type': 'text/html' }, htmlPage(fault.status));
    case 'empty-body':
      return send(fault.status, json, '');
    case 'huge-body':
      return send(response.status, { ...response.headers, ...json }, hugeText(response.body, fault.bytes));
    case 'wrong-types':
      return send(response.status, { ...response.headers, ...json }, wrongTypesText(response.body));
    case 'truncated': {
      const text = truncatedText(response.body);
      if (fault.mode === 'clean') return send(response.status, { ...response.headers, ...json }, text);
      // Announce the whole length, send half, drop the connection.
      entry.status = response.status;
      const full = Buffer.from(bodyText(response.body) || '{"services":[]}');
      res.writeHead(response.status, { ...response.headers, ...json, 'content-length': String(full.length) });
      res.write(text, () => res.destroy());
      return;
    }
    case 'slow-drip':
      entry.status = response.status;
      return drip(deps, res, response, fault.chunkBytes, fault.intervalMs);
    default:
      return send(response.status, response.headers, bodyText(response.body));
  }
}

/** Sends a complete answer and records its status. */
function sendWhole(
  entry: LedgerCall,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  text: string,
): void {
  if (res.destroyed) return;
  entry.status = status;
  const payload = Buffer.from(text);
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
}

async function drip(
  deps: TransportDeps,
  res: ServerResponse,
  response: ConsoleResponse,
  chunkBytes: number,
  intervalMs: number,
): Promise<void> {
  const payload = Buffer.from(bodyText(response.body));
  res.writeHead(response.status, { ...response.headers, 'content-length': String(payload.length) });
  res.flushHeaders();
  for (let offset = 0; offset < payload.length; offset += chunkBytes) {
    if (offset > 0) await sleep(intervalMs, undefined, { signal: deps.stopping }).catch(() => undefined);
    if (deps.stopping.aborted || res.destroyed) return;
    res.write(payload.subarray(offset, offset + chunkBytes));
  }
  res.end();
}

/** A TCP reset: the client sees ECONNRESET, not a clean close. */
function reset(req: IncomingMessage): void {
  req.socket.resetAndDestroy();
}

function faultError(status: number, body: unknown, kind: string, style: ErrorBodies): ConsoleResponse {
  if (body !== undefined) {
    return { status, headers: { 'content-type': 'application/json' }, body: { kind: 'json', value: body } };
  }
  // Every 500 the console sends has the shape of its catch-all handler.
  if (status === 500) return serverError('Exception', `simulated fault: ${kind}`, style);
  return envelopeError(status, `simulated fault: ${kind}`, '模拟故障');
}

/** The console's own answers for the region's transient and licence errors (console/views/base.py@ae3f1618). */
function consoleRefusal(
  kind: 'back-pressure' | 'insufficient-resources' | 'invalid-license',
): ConsoleResponse {
  const json = (status: number, value: unknown): ConsoleResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: { kind: 'json', value },
  });
  switch (kind) {
    case 'back-pressure':
      return json(409, { code: 409, msg: 'wait a moment please', msg_show: '操作过于频繁，请稍后再试' });
    case 'insufficient-resources':
      // ErrClusterLackOfMemory is a ServiceHandleException: its response is the envelope.
      return envelopeError(412, 'cluster lack of memory', '集群可用资源不足，请联系集群管理员', 10406);
    case 'invalid-license':
      return json(401, { code: 10400, msg: 'invalid license', msg_show: 'license不正确或已过期' });
  }
}
