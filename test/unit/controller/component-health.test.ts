import { describe, expect, it } from 'vitest';
import type { CopiedService } from '../../../src/api/appcopy.ts';
import { judgeComponents } from '../../../src/controller/component-health.ts';
import { aServiceId } from '../../support/builders.ts';

/** A copied component as status.services recorded it at the last poll. */
function copied(serviceCname: string, status?: string): CopiedService {
  return { serviceId: aServiceId(), serviceCname, ...(status === undefined ? {} : { status }) };
}
/** The live statuses now, by component. */
function live(...entries: [CopiedService, string | null][]): Map<string, string | null> {
  return new Map(entries.map(([s, status]) => [s.serviceId, status]));
}

const web = copied('web-copy', 'creating');
const api = copied('api-copy', 'building');
const webAbnormal = copied('web-copy', 'abnormal');
const webBuildFailed = copied('web-copy', 'build_failure');
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
      current: live([web, 'running'], [api, 'building']),
      timedOut: false,
      verdict: {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for api-copy is building',
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
      previous: [webBuildFailed, api],
      current: live([webBuildFailed, 'build_failure'], [api, 'running']),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsFailed',
        message: 'copied component(s) failed: web-copy is build_failure',
      },
    },
    {
      name: 'a component failed on two polls in a row is final even if the failure status changed',
      previous: [webAbnormal],
      current: live([webAbnormal, 'unusual']),
      timedOut: false,
      verdict: {
        final: true,
        ready: false,
        reason: 'ComponentsFailed',
        message: 'copied component(s) failed: web-copy is unusual',
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
      current: live([web, 'running'], [api, 'building']),
      timedOut: true,
      verdict: {
        final: true,
        ready: false,
        reason: 'FollowTimedOut',
        message: 'gave up waiting for the copies to run: api-copy is building',
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

  it.each(['build_failure', 'abnormal', 'some_abnormal', 'unusual'])(
    'a copy reported %s on two polls in a row has failed',
    (failure) => {
      const seen = copied('web-copy', failure);
      expect(judgeComponents([seen], live([seen, failure]), false)).toMatchObject({
        final: true,
        reason: 'ComponentsFailed',
      });
    },
  );

  it.each(['creating', 'building', 'undeploy', 'starting', 'checking', 'upgrade', 'unKnow'])(
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
