// Deletion with deletionPolicy Delete, one pass per case: given an AppCopy being deleted and
// what the console answers, what the finalizer returns, what it writes (the Deleting condition,
// or the finalizer's removal, after which the AppCopy is gone), the Events and the console calls.
// Against the real API server and the simulator: test/integration/operator/lifecycle.test.ts.
import { describe, expect, it } from 'vitest';
import { ABANDON_ANNOTATION, type AppCopy } from '../../../src/api/appcopy.ts';
import { ConditionType, Reason } from '../../../src/api/conditions.ts';
import { createFinalizer } from '../../../src/controller/finalize.ts';
import { done, outcomeOf, requeueAfter } from '../../../src/controller/outcome.ts';
import { consoleAccessVia } from '../../fakes/console-access.ts';
import { notSent, rejected, unauthorized } from '../../fakes/console-errors.ts';
import { noCredentials } from '../../fakes/credentials.ts';
import { answer, fail } from '../../fakes/rainbond-client.ts';
import {
  type AppCopyModifier,
  aCopyableComponent,
  aCopyOf,
  anAppCopy,
  beingDeleted,
  withAnnotation,
  withDeleteFinalizer,
  withDeletionPolicy,
} from '../../support/builders.ts';
import {
  aWorld,
  copiedAtT0,
  type Expected,
  expectStep,
  midCopy,
  type StepCase,
  silent,
} from './support/world.ts';

const SETTLE_MS = 60_000;
const POLL_MS = 2_000;

const webCopy = aCopyOf(aCopyableComponent({ serviceCname: 'web' }));
const apiCopy = aCopyOf(aCopyableComponent({ serviceCname: 'api' }));
/** A component of the target app that is not a copy of this AppCopy. */
const bystander = aCopyOf(aCopyableComponent({ serviceCname: 'db' }));

/** deletionPolicy Delete, the finalizer on, and `kubectl delete` issued. */
const deleted = (...more: AppCopyModifier[]): AppCopy =>
  anAppCopy(
    withDeletionPolicy('Delete'),
    withDeleteFinalizer(),
    ...more,
    beingDeleted('2025-01-01T00:05:00Z'),
  );

const DELETE_BOTH = ['deleteComponent', 'deleteComponent'];

/** The copies were deleted, the listing confirmed it, and the finalizer let the AppCopy go. */
const deletedAndLetGo = (calls: string[]): Expected => ({
  outcome: done,
  phase: 'gone',
  reason: undefined,
  events: ['Normal/CopiesDeleted'],
  calls,
  writes: ['finalizers'],
});

/** Deletion cannot go on: Deleting=False (DeletionBlocked) says why, and the step is retried. */
const blocked = (saying: string, calls: string[]): Expected => ({
  outcome: 'retry',
  phase: 'Succeeded',
  reason: Reason.DeletionBlocked,
  saying,
  events: ['Warning/DeletionBlocked'],
  calls,
  writes: ['status'],
});

const cases: StepCase[] = [
  {
    name: 'the abandon annotation lets the AppCopy go without asking the console anything',
    given: deleted(copiedAtT0([webCopy, apiCopy]), withAnnotation(ABANDON_ANNOTATION, 'true')),
    console: {},
    expected: {
      outcome: done,
      phase: 'gone',
      reason: undefined,
      events: ['Normal/CopiesAbandoned'],
      calls: [],
      writes: ['finalizers'],
    },
  },
  {
    name: 'an AppCopy that made no copies is let go at once',
    given: deleted(),
    console: {},
    expected: {
      outcome: done,
      phase: 'gone',
      reason: undefined,
      events: [],
      calls: [],
      writes: ['finalizers'],
    },
  },
  {
    name: 'its copies are deleted, the listing confirms they are gone, and the AppCopy is let go',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: {
      listComponents: [answer([webCopy, apiCopy, bystander]), answer([bystander])],
      deleteComponent: [answer(undefined)],
    },
    expected: deletedAndLetGo(['listComponents', ...DELETE_BOTH, 'listComponents']),
  },
  {
    name: 'a forced delete answered 409 or 412 (after the console deleted the copy) is not a failure once the listing confirms',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: {
      listComponents: [answer([webCopy, apiCopy]), answer([])],
      deleteComponent: [
        fail(rejected(409, 'the component is running', { route: 'deleteComponent' })),
        fail(rejected(412, 'another component depends on it', { route: 'deleteComponent' })),
      ],
    },
    expected: deletedAndLetGo(['listComponents', ...DELETE_BOTH, 'listComponents']),
  },
  {
    name: 'a copy still listed after its delete keeps the AppCopy (DeletingCopies, with how many remain) and comes back',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: {
      listComponents: [answer([webCopy, apiCopy]), answer([apiCopy])],
      deleteComponent: [answer(undefined)],
    },
    expected: {
      outcome: requeueAfter(POLL_MS),
      phase: 'Succeeded',
      reason: Reason.DeletingCopies,
      saying: '1 of 2 copied component(s) still listed',
      events: ['Normal/DeletingCopies'],
      calls: ['listComponents', ...DELETE_BOTH, 'listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a console that cannot be reached blocks deletion (DeletionBlocked), which is retried',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: { listComponents: [fail(notSent('listComponents'))] },
    expected: blocked(ABANDON_ANNOTATION, ['listComponents']),
  },
  {
    name: 'a delete the console refuses (the token) blocks deletion (DeletionBlocked) naming the copy',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: {
      listComponents: [answer([webCopy, apiCopy])],
      deleteComponent: [fail(unauthorized('deleteComponent'))],
    },
    expected: blocked(webCopy.serviceId, ['listComponents', 'deleteComponent']),
  },
  {
    name: 'credentials that cannot be read block deletion (DeletionBlocked) before the console is asked',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: {},
    credentials: noCredentials(),
    expected: blocked('cannot delete the copies', []),
  },
  {
    name: 'a target app that is gone (404) took its copies with it: the AppCopy is let go',
    given: deleted(copiedAtT0([webCopy, apiCopy])),
    console: { listComponents: [fail(rejected(404, 'app not found', { route: 'listComponents' }))] },
    expected: {
      outcome: done,
      phase: 'gone',
      reason: undefined,
      events: [],
      calls: ['listComponents'],
      writes: ['finalizers'],
    },
  },
  {
    name: 'an interrupted copy that has not settled is waited for before deleting what it made',
    given: deleted(midCopy()),
    console: { listComponents: [answer([webCopy])] },
    atMs: 10_000,
    expected: {
      outcome: requeueAfter(POLL_MS),
      phase: 'Copying',
      reason: Reason.DeletingCopies,
      saying: 'waiting for the interrupted copy to settle',
      events: ['Normal/DeletingCopies'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'an interrupted copy that has settled has exactly what it made deleted, and nothing else',
    given: deleted(midCopy({ preexistingServiceIds: [bystander.serviceId] })),
    console: {
      listComponents: [answer([bystander, webCopy]), answer([bystander])],
      deleteComponent: [answer(undefined)],
    },
    atMs: SETTLE_MS,
    expected: deletedAndLetGo(['listComponents', 'deleteComponent', 'listComponents']),
  },
];

describe('deleting the copies of an AppCopy being deleted', () => {
  it.each(cases)('$name', async (c) => {
    const w = await aWorld(c);
    const finalizer = createFinalizer({ store: w.store, events: w.events, pollMs: POLL_MS, now: w.now });
    const consoles = consoleAccessVia(w.console, w.credentials, { settleMs: SETTLE_MS });
    const access = w.spec ? await consoles.forExistingCopy(c.given, w.spec) : undefined;

    const outcome = await outcomeOf(() => finalizer.finalize(c.given, w.spec, access, silent));

    expectStep(w, outcome, ConditionType.Deleting, c.expected);
    const deletedIds = w.console.callsTo('deleteComponent').map((call) => call.args[1]);
    expect(deletedIds, 'never a component that is not a copy').not.toContain(bystander.serviceId);
  });
});
