// The operator's own metrics besides the runtime's controller-runtime names: console calls by
// route and outcome, copies by outcome, how following the copies ended, and the copy slots
// (CONCURRENCY) in use and waited for.
// Labels are fixed names, never ids or tokens.

import type { Slots } from '@appcopy/kube-runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FOLLOW_OUTCOMES, type FollowOutcome } from './controller/component-health.ts';
import type { CopyOutcome } from './controller/copy/protocol.ts';
import type { ResponseEvent } from './rainbond/client.ts';

export function createOperatorMetrics(registry: Registry, copySlots: Slots) {
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
    help: 'Copy calls and verifications by outcome (succeeded, adopted, rejected, partial, unknown, not_sent, unauthorized, unavailable, failed).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const followed = new Counter({
    name: 'appcopy_follow_outcomes_total',
    help: 'How following the copies ended, by the ComponentsReady reason (ComponentsRunning, ComponentsFailed, ComponentsMissing, FollowTimedOut).',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason from the start, so that an alert on an increase sees the first one.
  for (const reason of FOLLOW_OUTCOMES) followed.inc({ reason }, 0);
  new Gauge({
    name: 'appcopy_copy_slots_in_use',
    help: 'Copy calls in flight (at most CONCURRENCY).',
    registers: [registry],
    collect() {
      this.set(copySlots.inUse());
    },
  });
  new Gauge({
    name: 'appcopy_copy_slots_waiting',
    help: 'Reconciles ready to copy, waiting for a copy slot.',
    registers: [registry],
    collect() {
      this.set(copySlots.waiting());
    },
  });
  return {
    onRainbondResponse(event: ResponseEvent): void {
      requests.inc({ route: event.route, outcome: event.outcome });
      durations.observe({ route: event.route }, event.durationMs / 1000);
    },
    onCopyOutcome(outcome: CopyOutcome): void {
      copies.inc({ outcome });
    },
    onFollowOutcome(reason: FollowOutcome): void {
      followed.inc({ reason });
    },
  };
}
