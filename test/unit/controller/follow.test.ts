// Following the copies after a successful copy, one poll per case: given the copies' statuses
// as last recorded and what the console answers now, what the follower returns, the
// ComponentsReady condition it writes, the Events and the console calls. How each live status
// is judged is test/unit/controller/component-health.test.ts.
import { describe, expect, it } from 'vitest';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { ConditionType, findCondition, Reason } from '../../../src/api/conditions.ts';
import type { CredentialsResolver } from '../../../src/controller/credentials.ts';
import { createFollower, type FollowSettings } from '../../../src/controller/follow.ts';
import { done, type Outcome, outcomeOf, requeueAfter } from '../../../src/controller/outcome.ts';
import type { Component, ComponentEvent } from '../../../src/rainbond/types.ts';
import { notSent } from '../../fakes/console-errors.ts';
import { noCredentials } from '../../fakes/credentials.ts';
import { answer, type ConsoleScript, fail } from '../../fakes/rainbond-client.ts';
import { aCopyableComponent, aCopyOf, anAppCopy } from '../../support/builders.ts';
import { aWorld, copiedAtT0, silent } from './support/world.ts';

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

interface Case {
  name: string;
  given: AppCopy;
  console: ConsoleScript;
  /** Time since the copy finished; a minute unless said. */
  atMs?: number;
  credentials?: CredentialsResolver;
  expected: {
    outcome: Outcome;
    /** ComponentsReady's reason as stored. */
    componentsReady: string;
    /** Words its message must hold. */
    saying?: string;
    events: string[];
    calls: string[];
    writes: string[];
  };
}

const cases: Case[] = [
  {
    name: 'copies that all run end following: ComponentsRunning, announced once',
    given: recorded('creating', 'creating'),
    console: { listComponents: [answer([is(webCopy, 'running'), is(apiCopy, 'running')])] },
    expected: {
      outcome: done,
      componentsReady: Reason.ComponentsRunning,
      events: ['Normal/ComponentsRunning'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy that is a job which completed counts as healthy beside a running one',
    given: recorded('running', 'creating'),
    console: { listComponents: [answer([is(webCopy, 'running'), is(apiCopy, 'succeeded')])] },
    expected: {
      outcome: done,
      componentsReady: Reason.ComponentsRunning,
      saying: '1 job(s) succeeded',
      events: ['Normal/ComponentsRunning'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy still building (its latest build did not fail) keeps following, polled again later, without an Event',
    given: recorded('creating', 'creating'),
    console: {
      listComponents: [answer([is(webCopy, 'undeploy'), is(apiCopy, 'running')])],
      listComponentEvents: [answer([buildEvent('success', 'the build before')])],
    },
    expected: {
      outcome: requeueAfter(NEXT_POLL),
      componentsReady: Reason.ComponentsStarting,
      events: [],
      calls: ['listComponents', 'listComponentEvents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy whose latest build failed, read from its events, ends following at once: ComponentsFailed',
    given: recorded('creating', 'creating'),
    console: {
      listComponents: [answer([is(webCopy, 'undeploy'), is(apiCopy, 'running')])],
      listComponentEvents: [answer([buildEvent('failure', 'npm ERR! missing script: build')])],
    },
    expected: {
      outcome: done,
      componentsReady: Reason.ComponentsFailed,
      saying: 'npm ERR! missing script: build',
      events: ['Warning/ComponentsFailed'],
      calls: ['listComponents', 'listComponentEvents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy abnormal on one poll is not final yet (a deploy passes through it)',
    given: recorded('running', 'running'),
    console: { listComponents: [answer([is(webCopy, 'abnormal'), is(apiCopy, 'running')])] },
    expected: {
      outcome: requeueAfter(NEXT_POLL),
      componentsReady: Reason.ComponentsStarting,
      events: [],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy abnormal on two polls in a row ends following: ComponentsFailed',
    given: recorded('abnormal', 'running'),
    console: { listComponents: [answer([is(webCopy, 'abnormal'), is(apiCopy, 'running')])] },
    expected: {
      outcome: done,
      componentsReady: Reason.ComponentsFailed,
      saying: 'web-copy is abnormal',
      events: ['Warning/ComponentsFailed'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a copy removed in Rainbond ends following: ComponentsMissing',
    given: recorded('running', 'running'),
    console: { listComponents: [answer([is(apiCopy, 'running')])] },
    expected: {
      outcome: done,
      componentsReady: Reason.ComponentsMissing,
      saying: 'web-copy',
      events: ['Warning/ComponentsMissing'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'a console that does not answer before the follow timeout changes nothing: polled again later',
    given: recorded('creating', 'creating'),
    console: { listComponents: [fail(notSent('listComponents'))] },
    expected: {
      outcome: requeueAfter(NEXT_POLL),
      componentsReady: Reason.ComponentsStarting,
      events: [],
      calls: ['listComponents'],
      writes: [],
    },
  },
  {
    name: 'a console that does not answer at the follow timeout: judged on what was last seen, FollowTimedOut',
    given: recorded('creating', 'running'),
    console: { listComponents: [fail(notSent('listComponents'))] },
    atMs: SETTINGS.followTimeoutMs,
    expected: {
      outcome: done,
      componentsReady: Reason.FollowTimedOut,
      saying: 'web-copy is creating',
      events: ['Warning/FollowTimedOut'],
      calls: ['listComponents'],
      writes: ['status'],
    },
  },
  {
    name: 'credentials that cannot be read change nothing and ask the console nothing: polled again later',
    given: recorded('creating', 'creating'),
    console: {},
    credentials: noCredentials(),
    expected: {
      outcome: requeueAfter(NEXT_POLL),
      componentsReady: Reason.ComponentsStarting,
      events: [],
      calls: [],
      writes: [],
    },
  },
];

describe('following the copies of a Succeeded AppCopy', () => {
  it.each(cases)('$name', async (c) => {
    const w = await aWorld(c.given, c.console, {
      atMs: c.atMs ?? A_MINUTE,
      ...(c.credentials ? { credentials: c.credentials } : {}),
    });
    const spec = w.spec;
    if (!spec) throw new Error('the case needs a valid spec');
    const follow = createFollower({
      store: w.store,
      rainbond: w.console,
      credentials: w.credentials,
      events: w.events,
      settings: SETTINGS,
      now: w.now,
    });

    const outcome = await outcomeOf(() => follow(c.given, spec, silent));

    const { componentsReady, saying, ...rest } = c.expected;
    expect(w.observed(outcome, ConditionType.ComponentsReady)).toEqual({
      ...rest,
      phase: 'Succeeded',
      reason: componentsReady,
    });
    if (saying !== undefined) {
      expect(findCondition(w.stored()?.status?.conditions, ConditionType.ComponentsReady)?.message).toContain(
        saying,
      );
    }
  });
});
