// The operator's own metrics besides the runtime's controller-runtime names: console calls by
// console, route and outcome, copies by outcome, how following the copies ended, each console's
// copy slots in use and waited for, whether each console resource is Ready, and each console's release.
// Labels are fixed names, never ids or tokens. The `console` label is the console's key
// (`Default`, `ClusterRainbondConsole/NAME`, `RainbondConsole/NAMESPACE/NAME`); since anyone who
// may edit a namespace may create RainbondConsoles, at most MAX_CONSOLE_LABELS consoles get a
// label of their own at once and the rest share `other`.

import type { Slots } from '@appcopy/kube-runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FOLLOW_OUTCOMES, type FollowOutcome } from './controller/component-health.ts';
import type { CopyOutcome } from './controller/copy/protocol.ts';
import type { ResponseEvent } from './rainbond/client.ts';

/** How many consoles have a `console` label of their own; the others are `other`. */
export const MAX_CONSOLE_LABELS = 50;
export const OVERFLOW_CONSOLE_LABEL = 'other';

/** A console's copy slots, for the slot gauges. */
export interface ConsoleSlots {
  key: string;
  copySlots: Slots;
}

/** `slots`: the copy slots of every console now (read when the metrics are collected). */
export function createOperatorMetrics(registry: Registry, slots: () => readonly ConsoleSlots[]) {
  const labels = new Map<string, string>();
  /** The `console` label of `key`: its own while fewer than MAX_CONSOLE_LABELS consoles have one. */
  function consoleLabel(key: string): string {
    const known = labels.get(key);
    if (known !== undefined) return known;
    const own = [...labels.values()].filter((l) => l !== OVERFLOW_CONSOLE_LABEL).length;
    const label = own < MAX_CONSOLE_LABELS ? key : OVERFLOW_CONSOLE_LABEL;
    labels.set(key, label);
    return label;
  }
  const requests = new Counter({
    name: 'rainbond_requests_total',
    help: 'Calls to the Rainbond consoles by console, route and outcome.',
    labelNames: ['console', 'route', 'outcome'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'rainbond_request_duration_seconds',
    help: 'Duration of calls to the Rainbond consoles by console and route.',
    labelNames: ['console', 'route'],
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
  /** One gauge per console from its slots; consoles sharing `other` add up. */
  function slotGauge(name: string, help: string, read: (s: Slots) => number) {
    new Gauge({
      name,
      help,
      labelNames: ['console'],
      registers: [registry],
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const s of slots()) {
          const label = consoleLabel(s.key);
          sums.set(label, (sums.get(label) ?? 0) + read(s.copySlots));
        }
        for (const [label, value] of sums) this.set({ console: label }, value);
      },
    });
  }
  slotGauge(
    'appcopy_copy_slots_in_use',
    "Copy calls in flight, by console (at most the console's copy concurrency).",
    (s) => s.inUse(),
  );
  slotGauge(
    'appcopy_copy_slots_waiting',
    'Reconciles ready to copy, waiting for a copy slot, by console.',
    (s) => s.waiting(),
  );
  const ready = new Gauge({
    name: 'appcopy_console_ready',
    help: 'Whether each console resource passed its last check (1) or not (0): reachable, TLS trusted, token accepted.',
    labelNames: ['console'],
    registers: [registry],
  });
  const releases = new Gauge({
    name: 'appcopy_console_release_info',
    help: 'Each console\'s release as it states it (1 per console; release="" when it states none), read when it first passes a check and when it comes back from a failed one.',
    labelNames: ['console', 'release'],
    registers: [registry],
  });
  /** The release label each console's series carries now, so a new one replaces it. */
  const releaseOf = new Map<string, string>();
  function forgetRelease(label: string): void {
    const previous = releaseOf.get(label);
    if (previous !== undefined) releases.remove({ console: label, release: previous });
    releaseOf.delete(label);
  }
  return {
    consoleLabel,
    /** A console's release was read (undefined: it states none). Consoles sharing `other` get no series. */
    onConsoleRelease(key: string, release: string | undefined): void {
      const label = consoleLabel(key);
      if (label === OVERFLOW_CONSOLE_LABEL) return;
      forgetRelease(label);
      releaseOf.set(label, release ?? '');
      releases.set({ console: label, release: release ?? '' }, 1);
    },
    /** Metrics of calls to the console `key`. */
    onRainbondResponse(key: string, event: ResponseEvent): void {
      const label = consoleLabel(key);
      requests.inc({ console: label, route: event.route, outcome: event.outcome });
      durations.observe({ console: label, route: event.route }, event.durationMs / 1000);
    },
    /** A console's check ended (`ready`), or the console is gone (undefined): its label is freed. */
    onConsoleReadiness(key: string, isReady: boolean | undefined): void {
      if (isReady === undefined) {
        const label = labels.get(key);
        if (label !== undefined && label !== OVERFLOW_CONSOLE_LABEL) {
          ready.remove({ console: label });
          forgetRelease(label);
        }
        labels.delete(key);
        return;
      }
      const label = consoleLabel(key);
      // Consoles sharing `other` report their worst: one not ready makes it 0.
      if (label === OVERFLOW_CONSOLE_LABEL) {
        if (!isReady) ready.set({ console: label }, 0);
        return;
      }
      ready.set({ console: label }, isReady ? 1 : 0);
    },
    onCopyOutcome(outcome: CopyOutcome): void {
      copies.inc({ outcome });
    },
    onFollowOutcome(reason: FollowOutcome): void {
      followed.inc({ reason });
    },
  };
}
