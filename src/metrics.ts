// The operator's own metrics besides the runtime's controller-runtime names: console calls by
// route and outcome, and copies by outcome. Labels are fixed names, never ids or tokens.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CopyOutcome } from './controller/reconciler.ts';
import type { ResponseEvent } from './rainbond/client.ts';

export function createOperatorMetrics(registry: Registry) {
  const requests = new Counter({
    name: 'rainbond_requests_total',
    help: 'Calls to the Rainbond console by route and outcome.',
    labelNames: ['route', 'outcome'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'rainbond_request_duration_seconds',
    help: 'Duration of calls to the Rainbond console by route.',
    labelNames: ['route'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const copies = new Counter({
    name: 'appcopy_copies_total',
    help: 'Copy calls and verifications by outcome (succeeded, adopted, rejected, partial, unknown, not_sent, unauthorized).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    onRainbondResponse(event: ResponseEvent): void {
      requests.inc({ route: event.route, outcome: event.outcome });
      durations.observe({ route: event.route }, event.durationMs / 1000);
    },
    onCopyOutcome(outcome: CopyOutcome): void {
      copies.inc({ outcome });
    },
  };
}
