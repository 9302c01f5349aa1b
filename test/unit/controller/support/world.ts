// What a controller step sees and touches, in memory: the API server (the AppCopy store), the
// console (scripted), the Events, the credentials and one fake clock. The table tests of the
// reconciler, the follower and the finalizer build one world per case and compare what the
// step returned, wrote, announced and asked of the console with what the case expects.
import pino from 'pino';
import { expect } from 'vitest';
import type { AppCopy, AppCopySpec, CopyAttempt } from '../../../../src/api/appcopy.ts';
import { appCopySpecSchema, objectKey } from '../../../../src/api/appcopy.ts';
import { findCondition, Reason } from '../../../../src/api/conditions.ts';
import type { CredentialsResolver } from '../../../../src/controller/credentials.ts';
import type { Outcome } from '../../../../src/controller/outcome.ts';
import { intentStatus, succeededStatus } from '../../../../src/controller/status.ts';
import type { Component } from '../../../../src/rainbond/types.ts';
import { createFakeAppCopyStore, type FakeAppCopyStore } from '../../../fakes/appcopy-store.ts';
import { credentialsWith } from '../../../fakes/credentials.ts';
import { createRecordingEventRecorder, type RecordingEventRecorder } from '../../../fakes/event-recorder.ts';
import {
  type ConsoleScript,
  createScriptedConsole,
  type ScriptedConsole,
} from '../../../fakes/rainbond-client.ts';
import type { AppCopyModifier } from '../../../support/builders.ts';
import { createFakeClock, type FakeClock } from '../../../support/fake-clock.ts';

/** The token every case's credentials resolve to; every console call must carry it. */
export const TOKEN = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';
/** When the cases' copies were sent (the fake clock's start). */
export const T0 = new Date('2025-01-01T00:00:00Z');
export const silent = pino({ level: 'silent' });

/** The attempt record of a copy sent at T0 of `web` and `api` into an empty target app. */
export function anAttempt(fields: Partial<CopyAttempt> = {}): CopyAttempt {
  return {
    id: 'attempt-1',
    number: 1,
    generation: 1,
    startedAt: T0.toISOString(),
    preexistingServiceIds: [],
    expectedCopies: ['web-copy', 'api-copy'],
    ...fields,
  };
}

/** The copy's intent was stored at T0 and its outcome was not (a reconcile verifies it). */
export const midCopy =
  (...fields: Parameters<typeof anAttempt>): AppCopyModifier =>
  (d) => {
    d.status = intentStatus({}, anAttempt(...fields), { generation: d.metadata.generation, now: T0 });
  };

/** The copy of `components` succeeded at T0 (with `following`, they have yet to build and run). */
export const copiedAtT0 =
  (components: Component[], following = false): AppCopyModifier =>
  (d) => {
    const ctx = { generation: d.metadata.generation, now: T0 };
    d.status = succeededStatus(intentStatus({}, anAttempt(), ctx), components, Reason.Copied, ctx, following);
  };

export interface World {
  object: AppCopy;
  /** The spec parsed as the reconciler parses it; undefined when it is invalid. */
  spec: AppCopySpec | undefined;
  store: FakeAppCopyStore;
  console: ScriptedConsole;
  events: RecordingEventRecorder;
  credentials: CredentialsResolver;
  clock: FakeClock;
  now: () => Date;
  /** The AppCopy as stored now; undefined once it is gone. */
  stored(): AppCopy | undefined;
  /** Everything a case checks after its step, in one value so a failure shows it all. */
  observed(outcome: Outcome, condition: string): Observed;
}

/** One row of a step's table: the AppCopy as stored and the console's answers, then what must follow. */
export interface StepCase<E = Expected> {
  name: string;
  given: AppCopy;
  console: ConsoleScript;
  /** Time since T0 when the step runs. */
  atMs?: number;
  credentials?: CredentialsResolver;
  expected: E;
}

/** What a row expects (see Observed); `reason` is that of the condition the step is about. */
export interface Expected {
  /** An Outcome, or only its kind where the `why` is the status message's business. */
  outcome: Outcome | Outcome['kind'];
  phase: string | undefined;
  reason: string | undefined;
  /** Words the condition's message must hold. */
  saying?: string;
  events: string[];
  calls: string[];
  writes: string[];
}

/** Checks what the step did against the row: one comparison, so a failure shows all of it. */
export function expectStep(w: World, outcome: Outcome, condition: string, expected: Expected): void {
  const { outcome: wanted, saying, ...rest } = expected;
  expect(w.observed(outcome, condition)).toEqual({
    ...rest,
    outcome: typeof wanted === 'string' ? expect.objectContaining({ kind: wanted }) : wanted,
  });
  if (saying !== undefined) {
    expect(findCondition(w.stored()?.status?.conditions, condition)?.message).toContain(saying);
  }
}

export interface Observed {
  outcome: Outcome;
  /** Phase and the condition's reason as stored, or 'gone' once the AppCopy was released. */
  phase: string | undefined;
  reason: string | undefined;
  /** `Type/Reason` of each Event recorded. */
  events: string[];
  /** The console methods called, in order. */
  calls: string[];
  /** What was written to the API server, in order (status, finalizers, annotation). */
  writes: string[];
}

/**
 * The world of a row: its AppCopy stored, a console that answers as it says, and the fake clock
 * `atMs` after T0. Credentials resolve to TOKEN unless the row says otherwise.
 */
export async function aWorld(row: Omit<StepCase<unknown>, 'name' | 'expected'>): Promise<World> {
  const { given: object, atMs, credentials } = row;
  const clock = createFakeClock(T0.getTime());
  if (atMs) await clock.advance(atMs);
  const store = createFakeAppCopyStore(object);
  const console = createScriptedConsole(row.console);
  const events = createRecordingEventRecorder();
  const { namespace, name } = object.metadata;
  return {
    object,
    spec: appCopySpecSchema.safeParse(object.spec).data,
    store,
    console,
    events,
    credentials: credentials ?? credentialsWith(TOKEN),
    clock,
    now: () => new Date(clock.now()),
    stored: () => store.stored(namespace, name),
    observed(outcome, condition) {
      const stored = store.stored(namespace, name);
      if (console.unscripted.length > 0) {
        throw new Error(`unscripted console calls: ${console.unscripted.map((c) => c.method).join(', ')}`);
      }
      const tokens = new Set(console.calls.map((c) => c.token));
      if (tokens.size > 0 && (tokens.size > 1 || !tokens.has(TOKEN))) {
        throw new Error(`a console call of ${objectKey(object.metadata)} did not carry the resolved token`);
      }
      return {
        outcome,
        phase: stored ? stored.status?.phase : 'gone',
        reason: findCondition(stored?.status?.conditions, condition)?.reason,
        events: events.summary(),
        calls: console.methods(),
        writes: store.writes.map((w) => w.kind),
      };
    },
  };
}
