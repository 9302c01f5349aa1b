// Where each latency run's time went, from a results JSON of `npm run bench -- --scenarios
// latency` and the operator traces of that run (bench/operator-trace.ts):
//   node bench/latency-breakdown.ts RESULTS.json TRACE_DIR
// For each run, by the operator's own requests: the create until its fresh GET of the AppCopy
// (the watch delivering it, the queue), the GET, the two console reads, the intent write, the
// copy call, the outcome write, and from the outcome until the benchmark's watch saw it; beside
// them the GC pauses inside the run. Prints the median of each column and the slowest runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace, TraceRequest } from './operator-trace.ts';
import { median, round } from './stats.ts';

interface Sample {
  name: string;
  startedAt: number;
  totalMs: number;
  overheadMs: number;
}

interface Breakdown {
  name: string;
  totalMs: number;
  overheadMs: number;
  /** Create request -> the operator's GET of the AppCopy starts. */
  toReconcile: number;
  get: number;
  /** Pre-flight and target listing, side by side, including the simulator's 10 ms. */
  reads: number;
  intent: number;
  /** Minus the simulator's fixed copy latency. */
  copyOverhead: number;
  outcome: number;
  /** The outcome write answered -> the benchmark's watch saw Succeeded. */
  toSeen: number;
  /** What the columns leave out: the operator's own work between the requests. */
  between: number;
  gcMs: number;
  gcMaxMs: number;
}

export function breakdown(samples: Sample[], traces: Trace[], copyLatencyMs: number): Breakdown[] {
  const requests = traces.flatMap((t) => t.requests).sort((a, b) => a.start - b.start);
  const gcs = traces.flatMap((t) => t.gcs);
  const rows: Breakdown[] = [];
  for (const s of samples) {
    const until = s.startedAt + s.totalMs;
    const inside = requests.filter((r) => r.start >= s.startedAt && r.start <= until && r.end !== undefined);
    const object = (r: TraceRequest) => r.lib === 'undici' && r.path.endsWith(`/appcopies/${s.name}`);
    const get = inside.find((r) => r.method === 'GET' && object(r));
    const writes = inside.filter((r) => r.method === 'PUT' && r.path.endsWith(`/appcopies/${s.name}/status`));
    const consoleCalls = inside.filter((r) => r.lib === 'http');
    const copy = consoleCalls.find((r) => r.method === 'POST');
    const reads = consoleCalls.filter((r) => r.method === 'GET' && r.start < (copy?.start ?? until));
    const [intent, outcome] = writes;
    if (!get || !intent || !outcome || !copy || reads.length === 0) continue;
    const span = (r: TraceRequest) => (r.end as number) - r.start;
    const readsMs = Math.max(...reads.map((r) => r.end as number)) - Math.min(...reads.map((r) => r.start));
    const parts = {
      toReconcile: get.start - s.startedAt,
      get: span(get),
      reads: readsMs,
      intent: span(intent),
      copyOverhead: span(copy) - copyLatencyMs,
      outcome: span(outcome),
      toSeen: until - (outcome.end as number),
    };
    const sum = Object.values(parts).reduce((a, b) => a + b, 0) + copyLatencyMs;
    const pauses = gcs.filter((g) => g.at >= s.startedAt && g.at <= until);
    rows.push({
      name: s.name,
      totalMs: s.totalMs,
      overheadMs: s.overheadMs,
      ...parts,
      between: s.totalMs - sum,
      gcMs: pauses.reduce((a, g) => a + g.ms, 0),
      gcMaxMs: Math.max(0, ...pauses.map((g) => g.ms)),
    });
  }
  return rows;
}

const COLUMNS = [
  'overheadMs',
  'toReconcile',
  'get',
  'reads',
  'intent',
  'copyOverhead',
  'outcome',
  'toSeen',
  'between',
  'gcMs',
  'gcMaxMs',
] as const;

function line(label: string, row: Record<(typeof COLUMNS)[number], number>): string {
  return [label.padEnd(14), ...COLUMNS.map((c) => String(round(row[c], 1)).padStart(c.length + 1))].join(' ');
}

function main(argv: readonly string[]): number {
  const [resultsFile, traceDir] = argv;
  if (!resultsFile || !traceDir) {
    process.stderr.write('usage: node bench/latency-breakdown.ts RESULTS.json TRACE_DIR\n');
    return 2;
  }
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
    settings: { copyLatencyMs: number };
    runs: { latency?: { samples: Sample[] }[] };
  };
  const traces = readdirSync(traceDir)
    .filter((f) => f.startsWith('trace-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(traceDir, f), 'utf8')) as Trace);
  for (const [i, run] of (results.runs.latency ?? []).entries()) {
    const rows = breakdown(run.samples, traces, results.settings.copyLatencyMs);
    process.stdout.write(`latency run ${i + 1}: ${rows.length} of ${run.samples.length} runs traced (ms)\n`);
    process.stdout.write(`${''.padEnd(14)} ${COLUMNS.join(' ')}\n`);
    const medians = Object.fromEntries(COLUMNS.map((c) => [c, median(rows.map((r) => r[c]))])) as Record<
      (typeof COLUMNS)[number],
      number
    >;
    process.stdout.write(`${line('median', medians)}\n`);
    for (const row of [...rows].sort((a, b) => b.overheadMs - a.overheadMs).slice(0, 5))
      process.stdout.write(`${line(row.name.slice(-14), row)}\n`);
  }
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
