import { describe, expect, it } from 'vitest';
import type { CopiedService } from '../../../src/api/appcopy.ts';
import {
  healthOf,
  judgeComponents,
  LIVE_STATUS_HEALTH,
  latestBuildFailure,
} from '../../../src/controller/component-health.ts';
import type { ComponentEvent } from '../../../src/rainbond/types.ts';
import { aServiceId } from '../../support/builders.ts';

/** A copied component as status.services recorded it at the last poll. */
function copied(serviceCname: string, status?: string): CopiedService {
  return { serviceId: aServiceId(), serviceCname, ...(status === undefined ? {} : { status }) };
}
/** The live statuses now, by component. */
function live(...entries: [CopiedService, string | null][]): Map<string, string | null> {
  return new Map(entries.map(([s, status]) => [s.serviceId, status]));
}

const web = copied('web-copy', 'undeploy');
const api = copied('api-copy', 'waiting');
const webAbnormal = copied('web-copy', 'abnormal');
const nameless: CopiedService = { serviceId: aServiceId() };

describe('judgeComponents', () => {
  it.each([
    {
      name: 'all copies running is final and ready',
      previous: [web, api],
      current: live([web, 'running'], [api, 'running']),
      timedOut: false,
      verdict: {
        final: true,
        ready: true,
        reason: 'ComponentsRunning',
        message: 'all 2 copied component(s) are running',
      },
    },
    {
      name: 'all copies running is ready even when the follow time is up',
      previous: [web],
      current: live([web, 'running']),
      timedOut: true,
      verdict: { final: true, ready: true, reason: 'ComponentsRunning' },
    },
    {
      name: 'a copy still building keeps following and says which one and how it is',
      previous: [web, api],
      current: live([web, 'running'], [api, 'undeploy']),
      timedOut: false,
      verdict: {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for api-copy is undeploy (building)',
      },
    },
    {
      name: 'a copy whose status the cluster did not report keeps following, shown as unknown',
      previous: [web],
      current: live([web, null]),
      timedOut: false,
      verdict: {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for web-copy is unknown',
      },
    },
    {
      name: 'a failure seen for the first time is not final: a deploy passes through abnormal',
      previous: [web, api],
      current: live([web, 'abnormal'], [api, 'running']),
      timedOut: false,
      verdict: {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for web-copy is abnormal',
      },
    },
    {
      name: 'a failure seen by the previous poll too is final and names the component',
      previous: [webAbnormal, api],
      current: live([webAbnormal, 'abnormal'], [api, 'running']),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsFailed',
        message: 'copied component(s) failed: web-copy is abnormal',
      },
    },
    {
      name: 'a component failed on two polls in a row is final even if the failure status changed',
      previous: [webAbnormal],
      current: live([webAbnormal, 'some_abnormal']),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsFailed',
        message: 'copied component(s) failed: web-copy is some_abnormal',
      },
    },
    {
      name: 'a job that completed counts as healthy and is said to have succeeded',
      previous: [web, api],
      current: live([web, 'running'], [api, 'succeeded']),
      timedOut: false,
      verdict: {
        final: true,
        ready: true,
        reason: 'ComponentsRunning',
        message: 'all 2 copied component(s) are running or completed (1 job(s) succeeded)',
      },
    },
    {
      name: 'a status this operator does not know is never taken for healthy',
      previous: [web],
      current: live([web, 'hibernating']),
      timedOut: false,
      verdict: {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for web-copy is hibernating',
      },
    },
    {
      name: 'a component that failed before and now runs is not a failure',
      previous: [webAbnormal],
      current: live([webAbnormal, 'running']),
      timedOut: false,
      verdict: { final: true, ready: true, reason: 'ComponentsRunning' },
    },
    {
      name: 'a copy that no longer exists in the target app is final and named',
      previous: [web, api],
      current: live([web, 'running']),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsMissing',
        message: 'copied component(s) no longer exist in the target app: api-copy',
      },
    },
    {
      name: 'a copy without a recorded name is named by its id',
      previous: [nameless],
      current: new Map<string, string | null>(),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsMissing',
        message: expect.stringContaining(nameless.serviceId),
      },
    },
    {
      name: 'copies still starting when the follow time is up end the follow, saying what was not running',
      previous: [web, api],
      current: live([web, 'running'], [api, 'waiting']),
      timedOut: true,
      verdict: {
        final: true,
        ready: false,
        reason: 'FollowTimedOut',
        message: 'gave up waiting for the copies to run: api-copy is waiting',
      },
    },
    {
      name: 'a failure seen once when the follow time is up ends the follow as timed out',
      previous: [web],
      current: live([web, 'abnormal']),
      timedOut: true,
      verdict: { final: true, ready: false, reason: 'FollowTimedOut' },
    },
  ])('$name', ({ previous, current, timedOut, verdict }) => {
    expect(judgeComponents(previous, current, timedOut)).toMatchObject(verdict);
  });

  it.each(['abnormal', 'some_abnormal'])('a copy reported %s on two polls in a row has failed', (failure) => {
    const seen = copied('web-copy', failure);
    expect(judgeComponents([seen], live([seen, failure]), false)).toMatchObject({
      final: true,
      reason: 'ComponentsFailed',
    });
  });

  it.each(['undeploy', 'closed', 'waiting', 'starting', 'upgrade', 'stopping', 'paused', 'unknow'])(
    'a copy reported %s on two polls in a row is still awaited, not failed',
    (state) => {
      const seen = copied('web-copy', state);
      expect(judgeComponents([seen], live([seen, state]), false)).toMatchObject({
        final: false,
        reason: 'ComponentsStarting',
      });
    },
  );
});

describe('judgeComponents when the console could not be asked', () => {
  it('a copy whose status was never seen is not taken for missing at the follow timeout', () => {
    const never: CopiedService = { serviceId: aServiceId(), serviceCname: 'web-copy' };
    const lastSeen = new Map([[never.serviceId, never.status]]);
    expect(judgeComponents([never], lastSeen, true)).toMatchObject({ final: true, reason: 'FollowTimedOut' });
  });
});

describe('a failed build, which the status never shows (undeploy for ever)', () => {
  const building = copied('web-copy', 'undeploy');

  it('is final at the first poll that has its failure event, naming the component and the event', () => {
    const failed = new Map([[building.serviceId, 'pull image failed']]);
    expect(judgeComponents([building], live([building, 'undeploy']), false, failed)).toEqual({
      final: true,
      ready: false,
      reason: 'ComponentsFailed',
      message: 'copied component(s) failed: web-copy: its build failed (pull image failed)',
    });
  });

  it('is not a failure once the component runs (a later build succeeded)', () => {
    const failed = new Map([[building.serviceId, 'pull image failed']]);
    expect(judgeComponents([building], live([building, 'running']), false, failed)).toMatchObject({
      final: true,
      ready: true,
    });
  });
});

describe('the region status vocabulary', () => {
  // goodrain/rainbond:worker/appm/types/v1/status.go@385642ba, and null when the region is silent.
  it.each([
    ['running', 'healthy'],
    ['succeeded', 'healthy'],
    ['abnormal', 'failed'],
    ['some_abnormal', 'failed'],
    ['undeploy', 'progressing'],
    ['closed', 'progressing'],
    ['waiting', 'progressing'],
    ['starting', 'progressing'],
    ['upgrade', 'progressing'],
    ['stopping', 'progressing'],
    ['paused', 'progressing'],
    ['unknow', 'unknown'],
  ])('%s reads as %s', (status, health) => {
    expect(healthOf(status)).toBe(health);
  });

  it('covers exactly the region vocabulary', () => {
    expect(Object.keys(LIVE_STATUS_HEALTH).sort()).toEqual(
      [
        'abnormal',
        'closed',
        'paused',
        'running',
        'some_abnormal',
        'starting',
        'stopping',
        'succeeded',
        'undeploy',
        'unknow',
        'upgrade',
        'waiting',
      ].sort(),
    );
  });

  it.each([null, undefined, '', 'building', 'build_failure', 'creating', 'stoping', 'unKnow', 'toString'])(
    'an absent or unknown status (%s) is not yet known, never healthy',
    (status) => {
      expect(healthOf(status)).toBe('unknown');
    },
  );
});

describe('latestBuildFailure', () => {
  function event(optType: string, status: string | null, message: string | null = null): ComponentEvent {
    return {
      eventId: 'e',
      optType,
      status,
      finalStatus: status ? 'complete' : null,
      message,
      createTime: null,
    };
  }
  it.each<{ name: string; events: ComponentEvent[]; failure: string | undefined }>([
    { name: 'no events: not known to have failed', events: [], failure: undefined },
    {
      name: 'the newest build failed: its message',
      events: [event('build-service', 'failure', 'pull image failed'), event('build-service', 'success')],
      failure: 'pull image failed',
    },
    {
      name: 'the newest build failed without a message: a sentence',
      events: [event('build-service', 'failure')],
      failure: 'the build failed',
    },
    {
      name: 'the newest build is still running although an older one failed',
      events: [event('build-service', null), event('build-service', 'failure', 'old')],
      failure: undefined,
    },
    {
      name: 'the newest build succeeded after a failed one',
      events: [event('build-service', 'success'), event('build-service', 'failure', 'old')],
      failure: undefined,
    },
    {
      name: 'other operations after the failed build do not hide it',
      events: [event('stop-service', 'success'), event('build-service', 'failure', 'no Dockerfile')],
      failure: 'no Dockerfile',
    },
  ])('$name', ({ events, failure }) => {
    expect(latestBuildFailure(events)).toBe(failure);
  });
});
