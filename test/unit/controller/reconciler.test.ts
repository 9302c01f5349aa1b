// The reconciler, one step per case: given an AppCopy as stored and what the console answers,
// what the reconcile returns (its Outcome), the status it writes (phase and Ready's reason),
// the Events it records and the console calls it makes. The same protocol under random faults
// and crashes is test/unit/property/reconcile-exactly-once.test.ts; against the real API
// server and the simulator, test/integration/operator/.
import { describe, it } from 'vitest';
import { ConditionType, Reason } from '../../../src/api/conditions.ts';
import { ownerOf } from '../../../src/controller/copy/own-copies.ts';
import { MAX_ROLLED_BACK_CALLS } from '../../../src/controller/copy/protocol.ts';
import { COPY_RECORD_ANNOTATION, formatRecord, markerEnv } from '../../../src/controller/copy/record.ts';
import { createTargetGuard } from '../../../src/controller/copy/target-guard.ts';
import { conflict, done, outcomeOf, requeueAfter } from '../../../src/controller/outcome.ts';
import { createReconciler } from '../../../src/controller/reconciler.ts';
import { consoleAccessVia } from '../../fakes/console-access.ts';
import { notSent, outcomeUnknown, rejected, unavailable } from '../../fakes/console-errors.ts';
import { noCredentials } from '../../fakes/credentials.ts';
import { answer, type ConsoleScript, compute, fail } from '../../fakes/rainbond-client.ts';
import {
  aCopyableComponent,
  aCopyOf,
  anAppCopy,
  aSpec,
  atGeneration,
  copying,
  inPhase,
  withStatus,
} from '../../support/builders.ts';
import {
  aWorld,
  type Expected,
  expectStep,
  midCopy,
  type StepCase,
  silent,
  type World,
} from './support/world.ts';

const SETTLE_MS = 60_000;
const TARGET_BUSY_RECHECK_MS = 5_000;

const web = aCopyableComponent({ serviceCname: 'web' });
const api = aCopyableComponent({ serviceCname: 'api' });
const webCopy = aCopyOf(web);
const apiCopy = aCopyOf(api);

/** The console of a copy that goes well: two source components, an empty target, both copied. */
const goodConsole: ConsoleScript = {
  listCopyableComponents: [answer([web, api])],
  listComponents: [answer([])],
  copyApp: [answer([webCopy, apiCopy])],
  putComponentEnvs: [answer([])],
};
const PREFLIGHT = ['listCopyableComponents', 'listComponents'];
const MARK_BOTH = ['putComponentEnvs', 'putComponentEnvs'];

/** The envs endpoint's answer check refusing a variable with an empty note (consoles before 6.9.3). */
const envsAnswerRefused = rejected(400, '参数错误: envs[1].note: 该字段不能为空。', {
  route: 'componentEnvs',
  businessCode: 20400,
});

/** The marker this AppCopy's copies carry in Rainbond, made by an earlier attempt. */
const ourMarker = markerEnv(ownerOf(anAppCopy(), aSpec()), 'attempt-0');

interface Case extends StepCase {
  /** Another AppCopy is mid-copy into the same target app. */
  targetBusy?: boolean;
  /** Something else changes the AppCopy while the pre-flight is out (the read becomes stale). */
  changedMeanwhile?: boolean;
}

/** The intent was written and announced (CopyStarted), the copy sent once, its outcome recorded. */
const copySent = (
  outcome: Expected['outcome'],
  phase: string,
  reason: string,
  announced: string,
): Expected => ({
  outcome,
  phase,
  reason,
  events: ['Normal/CopyStarted', announced],
  calls: [...PREFLIGHT, 'copyApp'],
  writes: ['status', 'status'],
});

/** The pre-flight ended the step: one status written and announced, nothing sent. */
const stoppedAtPreflight = (outcome: Expected['outcome'], phase: string, reason: string): Expected => ({
  outcome,
  phase,
  reason,
  events: [`Warning/${reason}`],
  calls: PREFLIGHT,
  writes: ['status'],
});

/** The copy succeeded: marked, recorded, and mirrored into the annotation. */
const copied: Expected = {
  outcome: done,
  phase: 'Succeeded',
  reason: Reason.Copied,
  events: ['Normal/CopyStarted', 'Normal/Copied'],
  calls: [...PREFLIGHT, 'copyApp', ...MARK_BOTH],
  writes: ['status', 'status', 'annotation'],
};

const cases: Case[] = [
  {
    name: 'a new AppCopy whose copy succeeds is Succeeded (Copied), its copies marked and the copy recorded in the annotation',
    given: anAppCopy(),
    console: goodConsole,
    expected: copied,
  },
  {
    name: 'a copy the console rejects with a 4xx is Failed (CopyRejected) and waits for a spec change',
    given: anAppCopy(),
    console: { ...goodConsole, copyApp: [fail(rejected(400, 'not enough quota'))] },
    expected: copySent('stalled', 'Failed', Reason.CopyRejected, 'Warning/CopyRejected'),
  },
  {
    name: 'a copy that never reached the console goes back to Pending (ConsoleUnavailable) and is retried',
    given: anAppCopy(),
    console: { ...goodConsole, copyApp: [fail(notSent())] },
    expected: copySent('retry', 'Pending', Reason.ConsoleUnavailable, 'Warning/ConsoleUnavailable'),
  },
  {
    name: 'a copy the console answers "not now" (409, back-pressure) goes back to Pending (ConsoleUnavailable) and is retried',
    given: anAppCopy(),
    console: { ...goodConsole, copyApp: [fail(unavailable())] },
    expected: copySent('retry', 'Pending', Reason.ConsoleUnavailable, 'Warning/ConsoleUnavailable'),
  },
  {
    name: 'a copy whose outcome is unknown (it timed out) stays Copying (VerifyingCopy) and is retried, not sent again',
    given: anAppCopy(),
    console: { ...goodConsole, copyApp: [fail(outcomeUnknown('timed out after 10000 ms'))] },
    expected: copySent('retry', 'Copying', Reason.VerifyingCopy, 'Warning/VerifyingCopy'),
  },
  {
    name: 'verifying an unknown outcome that finds every copy adopts them (Adopted) and marks them',
    given: anAppCopy(midCopy()),
    console: { listComponents: [answer([webCopy, apiCopy])], putComponentEnvs: [answer([])] },
    atMs: 5_000,
    expected: {
      outcome: done,
      phase: 'Succeeded',
      reason: Reason.Adopted,
      events: ['Normal/Adopted'],
      calls: ['listComponents', ...MARK_BOTH],
      writes: ['status', 'annotation'],
    },
  },
  {
    name: 'verifying that finds no copy before the call settled waits until it settles, without an Event',
    given: anAppCopy(midCopy()),
    console: { listComponents: [answer([])] },
    atMs: 10_000,
    expected: {
      outcome: requeueAfter(SETTLE_MS - 10_000 + 100),
      phase: 'Copying',
      reason: Reason.VerifyingCopy,
      events: [],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'verifying that finds no copy once the call settled, without a console answer, sends the copy again',
    given: anAppCopy(midCopy()),
    console: goodConsole,
    atMs: SETTLE_MS,
    expected: {
      outcome: done,
      phase: 'Succeeded',
      reason: Reason.Copied,
      events: ['Normal/CopyStarted', 'Normal/Copied'],
      calls: ['listComponents', ...PREFLIGHT, 'copyApp', ...MARK_BOTH],
      writes: ['status', 'status', 'annotation'],
    },
  },
  {
    name: 'no copy after the console answered a 500 goes back to Pending and is sent again after a backoff',
    given: anAppCopy(midCopy({ callEnded: true, consoleError: 'database is locked' })),
    console: { listComponents: [answer([])] },
    expected: {
      outcome: 'retry',
      phase: 'Pending',
      reason: Reason.ConsoleUnavailable,
      events: ['Warning/ConsoleUnavailable'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: `no copy after the console answered a 500 for the ${MAX_ROLLED_BACK_CALLS}rd time is Failed (CopyFailed) with the console's words`,
    given: anAppCopy(
      midCopy({
        callEnded: true,
        consoleError: 'database is locked',
        rolledBackCalls: MAX_ROLLED_BACK_CALLS - 1,
      }),
    ),
    console: { listComponents: [answer([])] },
    expected: {
      outcome: 'stalled',
      phase: 'Failed',
      reason: Reason.CopyFailed,
      events: ['Warning/CopyFailed'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'only some copies found once the call settled is Failed (PartialCopy)',
    given: anAppCopy(midCopy()),
    console: { listComponents: [answer([webCopy])] },
    atMs: SETTLE_MS,
    expected: {
      outcome: 'stalled',
      phase: 'Failed',
      reason: Reason.PartialCopy,
      events: ['Warning/PartialCopy'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a source app the console does not know (404) is Failed (SourceNotFound) and nothing is sent',
    given: anAppCopy(),
    console: {
      ...goodConsole,
      listCopyableComponents: [fail(rejected(404, 'app not found', { route: 'copyPreflight' }))],
    },
    expected: stoppedAtPreflight('stalled', 'Failed', Reason.SourceNotFound),
  },
  {
    name: 'a target app the console does not know (404) is Failed (TargetNotFound) and nothing is sent',
    given: anAppCopy(),
    console: {
      ...goodConsole,
      listComponents: [fail(rejected(404, 'app not found', { route: 'listComponents' }))],
    },
    expected: stoppedAtPreflight('stalled', 'Failed', Reason.TargetNotFound),
  },
  {
    name: 'spec.services naming a component the source app lacks is Failed (PreflightFailed) and nothing is sent',
    given: anAppCopy(copying('0123456789abcdef0123456789abcdef')),
    console: goodConsole,
    expected: stoppedAtPreflight('stalled', 'Failed', Reason.PreflightFailed),
  },
  {
    name: "a source component the console cannot describe (400, code 20400) is Failed (PreflightFailed), the console's limit",
    given: anAppCopy(),
    console: {
      ...goodConsole,
      listCopyableComponents: [
        fail(rejected(400, 'cmd: too long', { route: 'copyPreflight', businessCode: 20400 })),
      ],
    },
    expected: stoppedAtPreflight('stalled', 'Failed', Reason.PreflightFailed),
  },
  {
    name: 'a pre-flight that cannot reach the console leaves the AppCopy Pending (ConsoleUnavailable), retried',
    given: anAppCopy(),
    console: { ...goodConsole, listCopyableComponents: [fail(notSent('copyPreflight'))] },
    expected: stoppedAtPreflight('retry', 'Pending', Reason.ConsoleUnavailable),
  },
  {
    name: 'a read gone stale during the pre-flight makes the intent conflict: nothing is sent and the reconcile ends quietly',
    given: anAppCopy(),
    console: goodConsole,
    changedMeanwhile: true,
    expected: {
      outcome: conflict,
      phase: undefined,
      reason: undefined,
      events: [],
      calls: PREFLIGHT,
      writes: [],
    },
  },
  {
    name: 'credentials that cannot be read leave the AppCopy Pending (CredentialsNotFound), retried, the console untouched',
    given: anAppCopy(),
    console: {},
    credentials: noCredentials(),
    expected: {
      outcome: 'retry',
      phase: 'Pending',
      reason: Reason.CredentialsNotFound,
      events: ['Warning/CredentialsNotFound'],
      calls: [],
      writes: ['status'],
    },
  },
  {
    name: 'credentials that cannot be read while verifying keep the AppCopy Copying, retried',
    given: anAppCopy(midCopy()),
    console: {},
    credentials: noCredentials(),
    expected: {
      outcome: 'retry',
      phase: 'Copying',
      reason: Reason.CredentialsNotFound,
      events: ['Warning/CredentialsNotFound'],
      calls: [],
      writes: ['status'],
    },
  },
  {
    name: 'a target app another AppCopy is copying into leaves the AppCopy Pending (WaitingForTarget) and rechecks later',
    given: anAppCopy(),
    console: {},
    targetBusy: true,
    expected: {
      outcome: requeueAfter(TARGET_BUSY_RECHECK_MS),
      phase: 'Pending',
      reason: Reason.WaitingForTarget,
      events: [],
      calls: [],
      writes: ['status'],
    },
  },
  {
    name: 'copies marked for this AppCopy already in the target app (its status lost) are adopted (AdoptedExisting) and nothing is copied',
    given: anAppCopy(),
    console: {
      ...goodConsole,
      listComponents: [answer([webCopy, apiCopy])],
      copyApp: [],
      putComponentEnvs: [answer([ourMarker])],
    },
    expected: {
      outcome: done,
      phase: 'Succeeded',
      reason: Reason.AdoptedExisting,
      events: ['Normal/AdoptedExisting'],
      calls: [...PREFLIGHT, ...MARK_BOTH],
      writes: ['status', 'annotation'],
    },
  },
  {
    name: 'components named like the copies whose variables the console will not answer (400, code 20400, before 6.9.3) leave the AppCopy Pending (MarkersUnreadable): nothing is copied',
    given: anAppCopy(),
    console: {
      ...goodConsole,
      listComponents: [answer([webCopy])],
      copyApp: [],
      putComponentEnvs: [fail(envsAnswerRefused)],
    },
    expected: {
      outcome: 'retry',
      phase: 'Pending',
      reason: Reason.MarkersUnreadable,
      events: ['Warning/MarkersUnreadable'],
      calls: [...PREFLIGHT, 'putComponentEnvs'],
      writes: ['status'],
    },
  },
  {
    name: "the annotation still adopts copies whose markers the console will not answer; the markers' write is announced as unreadable",
    given: anAppCopy((d) => {
      d.metadata.annotations = {
        [COPY_RECORD_ANNOTATION]: formatRecord({
          ...ownerOf(anAppCopy(), aSpec()),
          attemptId: 'attempt-0',
          serviceIds: [webCopy.serviceId, apiCopy.serviceId],
          finishedAt: '2025-01-01T00:00:00Z',
        }),
      };
    }),
    console: {
      ...goodConsole,
      listComponents: [answer([webCopy, apiCopy])],
      copyApp: [],
      putComponentEnvs: [fail(envsAnswerRefused)],
    },
    expected: {
      outcome: done,
      phase: 'Succeeded',
      reason: Reason.AdoptedExisting,
      events: ['Normal/AdoptedExisting', 'Warning/MarkersUnreadable'],
      calls: [...PREFLIGHT, ...MARK_BOTH, ...MARK_BOTH],
      writes: ['status'],
    },
  },
  {
    name: 'a copy whose markers the console writes but will not answer is Succeeded (Copied), with a MarkersUnreadable Warning',
    given: anAppCopy(),
    console: { ...goodConsole, putComponentEnvs: [fail(envsAnswerRefused)] },
    expected: { ...copied, events: [...copied.events, 'Warning/MarkersUnreadable'] },
  },
  {
    name: 'a spec the CRD should have refused is Failed (InvalidSpec) and stalls, the console untouched',
    given: anAppCopy((d) => {
      d.spec.target.appId = 0;
    }),
    console: {},
    expected: {
      outcome: 'stalled',
      phase: 'Failed',
      reason: Reason.InvalidSpec,
      events: [],
      calls: [],
      writes: ['status'],
    },
  },
  {
    name: 'an AppCopy Failed for its generation is left alone until the spec changes',
    given: anAppCopy(atGeneration(2), inPhase('Failed')),
    console: {},
    expected: { outcome: done, phase: 'Failed', reason: undefined, events: [], calls: [], writes: [] },
  },
  {
    name: 'an AppCopy Failed for an older generation (the spec changed: a retry) is copied again',
    given: anAppCopy(atGeneration(2), withStatus({ phase: 'Failed', observedGeneration: 1 })),
    console: goodConsole,
    expected: copied,
  },
];

function reconcilerOf(w: World, targetBusy: boolean) {
  return createReconciler({
    store: w.store,
    consoles: consoleAccessVia(w.console, w.credentials, { settleMs: SETTLE_MS }),
    events: w.events,
    targets: createTargetGuard({
      copyingInto: () => (targetBusy ? ['team-a/another-copy'] : []),
      wake: () => {},
    }),
    settings: { targetBusyRecheckMs: TARGET_BUSY_RECHECK_MS, consoleUncheckedRecheckMs: 1000 },
    now: w.now,
    newAttemptId: () => 'attempt-2',
    logger: silent,
  });
}

describe('one reconcile of an AppCopy', () => {
  it.each(cases)('$name', async (c) => {
    const { namespace, name } = c.given.metadata;
    const w = await aWorld(c);
    if (c.changedMeanwhile) {
      // Someone else changes the AppCopy while the target app is being listed.
      w.console.script(
        'listComponents',
        compute<'listComponents'>(() => {
          w.store.changeBehindTheBack(namespace, name, (o) => {
            o.metadata.annotations = { note: 'edited meanwhile' };
          });
          return [];
        }),
      );
    }
    const reconcile = reconcilerOf(w, c.targetBusy ?? false);

    const outcome = await outcomeOf(() => reconcile(`${namespace}/${name}`));

    expectStep(w, outcome, ConditionType.Ready, c.expected);
  });
});
