// Following the copies after a successful copy, one poll per case: given the copies' statuses
// as last recorded and what the console answers now, what the follower returns, the
// ComponentsReady condition it writes, the Events and the console calls. How each live status
// is judged is test/unit/controller/component-health.test.ts.
import { describe, it } from 'vitest';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { ConditionType, Reason } from '../../../src/api/conditions.ts';
import { createFollower, type FollowSettings } from '../../../src/controller/follow.ts';
import { done, outcomeOf, requeueAfter } from '../../../src/controller/outcome.ts';
import type { Component, ComponentEvent } from '../../../src/rainbond/types.ts';
import { consoleAccessVia } from '../../fakes/console-access.ts';
import { notSent } from '../../fakes/console-errors.ts';
import { noCredentials } from '../../fakes/credentials.ts';
import { answer, compute, fail } from '../../fakes/rainbond-client.ts';
import { aCopyableComponent, aCopyOf, anAppCopy } from '../../support/builders.ts';
import { aWorld, copiedAtT0, type Expected, expectStep, type StepCase, silent } from './support/world.ts';

const SETTINGS: FollowSettings = {
  followTimeoutMs: 30 * 60_000,
  followIntervalMs: 5_000,
  followMaxIntervalMs: 60_000,
};
/** A minute after the copy: the next poll comes a tenth of that later. */
const A_MINUTE = 60_000;
const NEXT_POLL = 6_000;

const webCopy = aCopyOf(aCopyableComponent({ serviceCname: 'web' }));
const apiCopy = aCopyOf(aCopyableComponent({ serviceCname: 'api' }));
const is = (component: Component, status: string): Component => ({ ...component, status });
/**
 * The copies' own views, read once a copy is seen running: no gateway rules here (what they
 * make of the status is test/unit/controller/follow-addresses.test.ts).
 */
const views = compute<'getComponent'>((_token, _app, serviceId) => ({
  ...(serviceId === webCopy.serviceId ? webCopy : apiCopy),
  status: 'running',
  accessInfos: [],
}));

/** Copied at T0, the copies' statuses as the last poll recorded them. */
const recorded = (web: string, api: string): AppCopy =>
  anAppCopy(copiedAtT0([is(webCopy, web), is(apiCopy, api)], true));

const buildEvent = (status: 'success' | 'failure', message: string): ComponentEvent => ({
  eventId: 'e1',
  optType: 'build-service',
  status,
  finalStatus: 'complete',
  message,
  createTime: '2025-01-01 00:00:30',
});

/** The AppCopy stays Succeeded whatever its copies do: following writes ComponentsReady only. */
type FollowExpected = Omit<Expected, 'phase'>;

/** Following ended: ComponentsReady is final (`reason`), announced once. */
const ended = (reason: string, saying?: string, calls = ['listComponents']): FollowExpected => ({
  outcome: done,
  reason,
  ...(saying === undefined ? {} : { saying }),
  events: [`${reason === Reason.ComponentsRunning ? 'Normal' : 'Warning'}/${reason}`],
  calls,
  writes: ['status'],
});

/** Still following: ComponentsStarting, nothing announced, polled again a tenth of the time since the copy later. */
const pollAgain = (calls: string[], writes: string[]): FollowExpected => ({
  outcome: requeueAfter(NEXT_POLL),
  reason: Reason.ComponentsStarting,
  events: [],
  calls,
  writes,
});

const cases: StepCase<FollowExpected>[] = [
  {
    name: 'copies that all run end following: ComponentsRunning, announced once',
    given: recorded('undeploy', 'undeploy'),
    console: {
      listComponents: [answer([is(webCopy, 'running'), is(apiCopy, 'running')])],
      getComponent: [views],
    },
    expected: ended(Reason.ComponentsRunning, undefined, ['listComponents', 'getComponent', 'getComponent']),
  },
  {
    name: 'a copy that is a job which completed counts as healthy beside a running one',
    given: recorded('running', 'undeploy'),
    console: {
      listComponents: [answer([is(webCopy, 'running'), is(apiCopy, 'succeeded')])],
      getComponent: [views],
    },
    expected: ended(Reason.ComponentsRunning, '1 job(s) succeeded', ['listComponents', 'getComponent']),
  },
  {
    name: 'a copy still building (its latest build did not fail) keeps following, polled again later, without an Event',
    given: recorded('undeploy', 'undeploy'),
    console: {
      listComponents: [answer([is(webCopy, 'undeploy'), is(apiCopy, 'running')])],
      listComponentEvents: [answer([buildEvent('success', 'the build before')])],
      getComponent: [views],
    },
    expected: pollAgain(['listComponents', 'listComponentEvents', 'getComponent'], ['status']),
  },
  {
    name: 'a copy whose latest build failed, read from its events, ends following at once: ComponentsFailed',
    given: recorded('undeploy', 'undeploy'),
    console: {
      listComponents: [answer([is(webCopy, 'undeploy'), is(apiCopy, 'running')])],
      listComponentEvents: [answer([buildEvent('failure', 'npm ERR! missing script: build')])],
      getComponent: [views],
    },
    expected: ended(Reason.ComponentsFailed, 'npm ERR! missing script: build', [
      'listComponents',
      'listComponentEvents',
      'getComponent',
    ]),
  },
  {
    name: 'a copy abnormal on one poll is not final yet (a deploy passes through it)',
    given: recorded('running', 'running'),
    console: {
      listComponents: [answer([is(webCopy, 'abnormal'), is(apiCopy, 'running')])],
      getComponent: [views],
    },
    expected: pollAgain(['listComponents', 'getComponent'], ['status']),
  },
  {
    name: 'a copy abnormal on two polls in a row ends following: ComponentsFailed',
    given: recorded('abnormal', 'running'),
    console: {
      listComponents: [answer([is(webCopy, 'abnormal'), is(apiCopy, 'running')])],
      getComponent: [views],
    },
    expected: ended(Reason.ComponentsFailed, 'web-copy is abnormal', ['listComponents', 'getComponent']),
  },
  {
    name: 'a copy removed in Rainbond ends following: ComponentsMissing',
    given: recorded('running', 'running'),
    console: { listComponents: [answer([is(apiCopy, 'running')])], getComponent: [views] },
    expected: ended(Reason.ComponentsMissing, 'web-copy', ['listComponents', 'getComponent']),
  },
  {
    name: 'a console that does not answer before the follow timeout changes nothing: polled again later',
    given: recorded('undeploy', 'undeploy'),
    console: { listComponents: [fail(notSent('listComponents'))] },
    expected: pollAgain(['listComponents'], []),
  },
  {
    name: 'a console that does not answer at the follow timeout: judged on what was last seen, FollowTimedOut',
    given: recorded('undeploy', 'running'),
    console: { listComponents: [fail(notSent('listComponents'))] },
    atMs: SETTINGS.followTimeoutMs,
    expected: ended(Reason.FollowTimedOut, 'web-copy is undeploy (building)'),
  },
  {
    name: 'credentials that cannot be read change nothing and ask the console nothing: polled again later',
    given: recorded('undeploy', 'undeploy'),
    console: {},
    credentials: noCredentials(),
    expected: pollAgain([], []),
  },
];

describe('following the copies of a Succeeded AppCopy', () => {
  it.each(cases)('$name', async (c) => {
    // A minute after the copy unless the row says otherwise.
    const w = await aWorld({ ...c, atMs: c.atMs ?? A_MINUTE });
    const spec = w.spec;
    if (!spec) throw new Error('the case needs a valid spec');
    const follow = createFollower({ store: w.store, events: w.events, settings: SETTINGS, now: w.now });
    const access = await consoleAccessVia(w.console, w.credentials).forExistingCopy(c.given, spec);

    const outcome = await outcomeOf(() =>
      follow(c.given, spec, access.ok ? access.session : undefined, silent),
    );

    expectStep(w, outcome, ConditionType.ComponentsReady, { phase: 'Succeeded', ...c.expected });
  });
});
