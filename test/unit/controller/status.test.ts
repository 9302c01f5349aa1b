import { describe, expect, it } from 'vitest';
import type { AppCopyStatus, Condition, CopyAttempt } from '../../../src/api/appcopy.ts';
import { Reason } from '../../../src/api/conditions.ts';
import {
  failedStatus,
  followedStatus,
  intentStatus,
  pendingStatus,
  sameStatus,
  succeededStatus,
  toCopiedService,
  verifyingStatus,
} from '../../../src/controller/status.ts';
import { aComponent } from '../../support/builders.ts';

const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-01T00:01:00Z');
const t2 = new Date('2025-01-01T00:02:00Z');
const at = (now: Date, generation = 1) => ({ generation, now });

const attempt: CopyAttempt = {
  id: 'attempt-1',
  number: 1,
  generation: 1,
  startedAt: t0.toISOString(),
  preexistingServiceIds: [],
  expectedCopies: ['web-copy', 'api-copy'],
};
const webCopy = aComponent({ serviceCname: 'web-copy', k8sComponentName: 'web', status: 'undeploy' });
const apiCopy = aComponent({ serviceCname: 'api-copy', k8sComponentName: null, status: null });

function condition(status: AppCopyStatus, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}
function conditionStatuses(status: AppCopyStatus): Record<string, string> {
  return Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));
}

describe('status builders: phase and kstatus conditions', () => {
  it.each([
    {
      name: 'waiting for credentials is Pending, Reconciling and not Ready',
      build: (s: AppCopyStatus) => pendingStatus(s, Reason.CredentialsNotFound, 'no credentials', at(t0)),
      phase: 'Pending',
      conditions: { Ready: 'False', Reconciling: 'True' },
    },
    {
      name: 'the written intent is Copying, Reconciling and not Ready',
      build: (s: AppCopyStatus) => intentStatus(s, attempt, at(t0)),
      phase: 'Copying',
      conditions: { Ready: 'False', Reconciling: 'True' },
    },
    {
      name: 'verifying an unknown outcome stays Copying, Reconciling and not Ready',
      build: (s: AppCopyStatus) => verifyingStatus(s, Reason.VerifyingCopy, 'verifying', at(t0)),
      phase: 'Copying',
      conditions: { Ready: 'False', Reconciling: 'True' },
    },
    {
      name: 'a rejected copy is Failed and Stalled, not Ready and no longer Reconciling',
      build: (s: AppCopyStatus) => failedStatus(s, Reason.CopyRejected, 'not enough quota', at(t0)),
      phase: 'Failed',
      conditions: { Ready: 'False', Stalled: 'True' },
    },
    {
      name: 'a copy that succeeded is Ready, neither Reconciling nor Stalled',
      build: (s: AppCopyStatus) => succeededStatus(s, [webCopy], Reason.Copied, at(t0)),
      phase: 'Succeeded',
      conditions: { Ready: 'True' },
    },
  ])('$name', ({ build, phase, conditions }) => {
    // From no status, and from each of the other states: the result does not depend on the way there.
    const starts: AppCopyStatus[] = [
      {},
      pendingStatus({}, Reason.ConsoleUnavailable, 'down', at(t0)),
      intentStatus({}, attempt, at(t0)),
      failedStatus({}, Reason.PreflightFailed, 'bad', at(t0)),
      succeededStatus({}, [webCopy], Reason.Copied, at(t0)),
    ];
    for (const start of starts) {
      const next = build(start);
      expect(next.phase).toBe(phase);
      expect(conditionStatuses(next)).toEqual(conditions);
    }
  });

  it('Ready carries the reason and message of what happened, as do Reconciling and Stalled', () => {
    const pending = pendingStatus({}, Reason.Unauthorized, 'the token was refused', at(t0));
    expect(condition(pending, 'Ready')).toMatchObject({
      reason: 'Unauthorized',
      message: 'the token was refused',
    });
    expect(condition(pending, 'Reconciling')).toMatchObject({
      reason: 'Unauthorized',
      message: 'the token was refused',
    });
    const failed = failedStatus({}, Reason.PartialCopy, 'only partly done', at(t0));
    expect(condition(failed, 'Stalled')).toMatchObject({
      reason: 'PartialCopy',
      message: 'only partly done',
    });
  });

  it('a success says how many components were copied, and whether the outcome was verified after an interruption', () => {
    const copied = succeededStatus({}, [webCopy, apiCopy], Reason.Copied, at(t0));
    const adopted = succeededStatus({}, [webCopy, apiCopy], Reason.Adopted, at(t0));
    expect(condition(copied, 'Ready')).toMatchObject({ reason: 'Copied', message: 'copied 2 component(s)' });
    expect(condition(adopted, 'Ready')).toMatchObject({ reason: 'Adopted' });
    expect(condition(adopted, 'Ready')?.message).toContain('verified from the target app');
  });

  it('conditions that belong to other concerns (ComponentsReady) are left alone', () => {
    const componentsReady: Condition = {
      type: 'ComponentsReady',
      status: 'False',
      reason: 'ComponentsStarting',
      message: 'waiting',
      lastTransitionTime: t0.toISOString(),
    };
    const next = succeededStatus({ conditions: [componentsReady] }, [webCopy], Reason.Copied, at(t1));
    expect(condition(next, 'ComponentsReady')).toEqual(componentsReady);
  });
});

describe('status builders: what the status records', () => {
  it('the intent records the attempt and clears the services of an earlier attempt', () => {
    const earlier = failedStatus({}, Reason.PartialCopy, 'partial', at(t0), [webCopy]);
    const intent = intentStatus({ ...earlier, services: [], copiedCount: 0 }, attempt, at(t1, 2));
    expect(intent).toMatchObject({
      phase: 'Copying',
      attempt,
      services: [],
      copiedCount: 0,
      observedGeneration: 2,
    });
    expect(condition(intent, 'Ready')?.message).toBe('copying 2 component(s) (attempt 1)');
  });

  it('a success lists each created component with its id, alias, names and last seen status', () => {
    const next = succeededStatus(
      intentStatus({}, attempt, at(t0)),
      [webCopy, apiCopy],
      Reason.Copied,
      at(t1),
    );
    expect(next.services).toEqual([
      {
        serviceId: webCopy.serviceId,
        serviceAlias: webCopy.serviceAlias,
        serviceCname: 'web-copy',
        k8sComponentName: 'web',
        status: 'undeploy',
      },
      // Nulls from the console are left out rather than written as empty values.
      { serviceId: apiCopy.serviceId, serviceAlias: apiCopy.serviceAlias, serviceCname: 'api-copy' },
    ]);
    expect(next.copiedCount).toBe(2);
  });

  it('an outcome marks the attempt finished at that time and keeps the rest of the record', () => {
    const succeeded = succeededStatus(intentStatus({}, attempt, at(t0)), [webCopy], Reason.Copied, at(t1));
    const failed = failedStatus(intentStatus({}, attempt, at(t0)), Reason.CopyRejected, 'no', at(t1));
    expect(succeeded.attempt).toEqual({ ...attempt, finishedAt: t1.toISOString() });
    expect(failed.attempt).toEqual({ ...attempt, finishedAt: t1.toISOString() });
  });

  it('an outcome without an attempt (a pre-flight failure) records no attempt', () => {
    expect(failedStatus({}, Reason.PreflightFailed, 'bad', at(t0))).not.toHaveProperty(
      'attempt',
      expect.anything(),
    );
  });

  it('a partial copy lists the copies that exist anyway', () => {
    const next = failedStatus(intentStatus({}, attempt, at(t0)), Reason.PartialCopy, 'partial', at(t1), [
      webCopy,
    ]);
    expect(next.services?.map((s) => s.serviceId)).toEqual([webCopy.serviceId]);
    expect(next.copiedCount).toBe(1);
  });

  it('observedGeneration, on the status and on each condition, is the generation the status was computed from', () => {
    const next = pendingStatus(
      intentStatus({}, attempt, at(t0, 1)),
      Reason.ConsoleUnavailable,
      'down',
      at(t1, 3),
    );
    expect(next.observedGeneration).toBe(3);
    for (const c of next.conditions ?? []) expect(c.observedGeneration).toBe(3);
  });
});

describe('status builders: lastTransitionTime', () => {
  it.each([
    {
      name: 'Ready keeps its time from Pending through Copying, since it stays False',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'down', at(t0)),
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t1)),
        (s: AppCopyStatus) => verifyingStatus(s, Reason.VerifyingCopy, 'verifying', at(t2)),
      ],
      type: 'Ready',
      time: t0,
    },
    {
      name: 'Ready moves to the time of success, when it flips to True',
      steps: [
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t0)),
        (s: AppCopyStatus) => succeededStatus(s, [webCopy], Reason.Copied, at(t1)),
      ],
      type: 'Ready',
      time: t1,
    },
    {
      name: 'Ready keeps its time from Copying to Failed, since it stays False',
      steps: [
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t0)),
        (s: AppCopyStatus) => failedStatus(s, Reason.CopyRejected, 'no', at(t1)),
      ],
      type: 'Ready',
      time: t0,
    },
    {
      name: 'Reconciling keeps its time while the reason and message change',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'down', at(t0)),
        (s: AppCopyStatus) => pendingStatus(s, Reason.Unauthorized, 'refused', at(t1)),
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t2)),
      ],
      type: 'Reconciling',
      time: t0,
    },
    {
      name: 'Reconciling that comes back after a failure (a retry by spec change) starts at the retry',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'down', at(t0)),
        (s: AppCopyStatus) => failedStatus(s, Reason.PreflightFailed, 'bad', at(t1)),
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t2, 2)),
      ],
      type: 'Reconciling',
      time: t2,
    },
  ])('$name', ({ steps, type, time }) => {
    const status = steps.reduce<AppCopyStatus>((s, step) => step(s), {});
    expect(condition(status, type)?.lastTransitionTime).toBe(time.toISOString());
  });
});

describe('status builders: lastError', () => {
  it.each([
    {
      name: 'a problem the user must act on is recorded in words',
      steps: [(s: AppCopyStatus) => pendingStatus(s, Reason.Unauthorized, 'the token was refused', at(t0))],
      lastError: 'the token was refused',
    },
    {
      name: 'the last problem is kept while the copy merely progresses',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'console down', at(t0)),
        (s: AppCopyStatus) =>
          pendingStatus(s, Reason.WaitingForTarget, 'waiting for another AppCopy', at(t1)),
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t2)),
      ],
      lastError: 'console down',
    },
    {
      name: 'a newer problem replaces an older one',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'console down', at(t0)),
        (s: AppCopyStatus) => failedStatus(s, Reason.CopyRejected, 'not enough quota', at(t1)),
      ],
      lastError: 'not enough quota',
    },
    {
      name: 'success clears the last problem',
      steps: [
        (s: AppCopyStatus) => pendingStatus(s, Reason.ConsoleUnavailable, 'console down', at(t0)),
        (s: AppCopyStatus) => intentStatus(s, attempt, at(t1)),
        (s: AppCopyStatus) => succeededStatus(s, [webCopy], Reason.Copied, at(t2)),
      ],
      lastError: '',
    },
    {
      name: 'progress without any earlier problem records none',
      steps: [(s: AppCopyStatus) => intentStatus(s, attempt, at(t0))],
      lastError: '',
    },
  ])('$name', ({ steps, lastError }) => {
    expect(steps.reduce<AppCopyStatus>((s, step) => step(s), {}).lastError).toBe(lastError);
  });
});

describe('sameStatus', () => {
  const status = succeededStatus(intentStatus({}, attempt, at(t0)), [webCopy], Reason.Copied, at(t1));

  it.each([
    { name: 'a status equals itself rebuilt from the same inputs', a: status, b: { ...status }, same: true },
    {
      name: 'key order does not matter, at any depth',
      a: status,
      b: JSON.parse(JSON.stringify(status, Object.keys(flatKeys(status)).sort().reverse())) as AppCopyStatus,
      same: true,
    },
    {
      name: 'a key set to undefined equals a missing key',
      a: { phase: 'Pending' },
      b: { phase: 'Pending', lastError: undefined },
      same: true,
    },
    { name: 'no status equals an empty status', a: undefined, b: {}, same: true },
    { name: 'a changed phase is a change', a: status, b: { ...status, phase: 'Failed' }, same: false },
    {
      name: 'a changed component status is a change',
      a: status,
      b: {
        ...status,
        services: [{ ...status.services?.[0], serviceId: webCopy.serviceId, status: 'running' }],
      },
      same: false,
    },
    {
      name: 'a condition message that changed is a change',
      a: status,
      b: { ...status, conditions: status.conditions?.map((c) => ({ ...c, message: `${c.message}!` })) },
      same: false,
    },
    {
      name: 'the order of conditions is a change (lists keep their order)',
      a: pendingStatus({}, Reason.ConsoleUnavailable, 'down', at(t0)),
      b: (() => {
        const s = pendingStatus({}, Reason.ConsoleUnavailable, 'down', at(t0));
        return { ...s, conditions: [...(s.conditions ?? [])].reverse() };
      })(),
      same: false,
    },
    {
      name: 'an empty lastError differs from none',
      a: { phase: 'Pending' },
      b: { phase: 'Pending', lastError: '' },
      same: false,
    },
  ] satisfies { name: string; a: AppCopyStatus | undefined; b: AppCopyStatus | undefined; same: boolean }[])(
    '$name',
    ({ a, b, same }) => {
      expect(sameStatus(a, b)).toBe(same);
      expect(sameStatus(b, a)).toBe(same);
    },
  );
});

/** Every key name used anywhere in `value`, for a JSON.stringify allow-list that also reorders keys. */
function flatKeys(value: unknown, into: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(value)) for (const v of value) flatKeys(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into[k] = true;
      flatKeys(v, into);
    }
  }
  return into;
}

describe('toCopiedService', () => {
  it('keeps what identifies the component and leaves out what the console did not report', () => {
    expect(
      toCopiedService(
        aComponent({
          serviceId: 'a'.repeat(32),
          serviceAlias: 'graaaaaa',
          serviceCname: 'web-copy',
          k8sComponentName: null,
          status: null,
        }),
      ),
    ).toEqual({
      serviceId: 'a'.repeat(32),
      serviceAlias: 'graaaaaa',
      serviceCname: 'web-copy',
    });
  });
});

describe('followedStatus', () => {
  const at = { generation: 3, now: new Date('2025-02-01T00:00:00Z') };
  const copies = { services: [{ serviceId: 'a'.repeat(32), serviceCname: 'web-copy', status: 'undeploy' }] };

  it('while the copies start: their live status, ComponentsReady False and Reconciling True', () => {
    const next = followedStatus(
      copies,
      new Map([['a'.repeat(32), 'waiting']]),
      {
        final: false,
        ready: false,
        reason: 'ComponentsStarting',
        message: 'waiting for web-copy is waiting',
      },
      at,
    );
    expect(next.services?.[0]?.status).toBe('waiting');
    expect(next.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['ComponentsReady', 'False'],
      ['Reconciling', 'True'],
    ]);
    expect(next.observedGeneration).toBe(3);
  });

  it('once they failed for good: Stalled True and no Reconciling', () => {
    const next = followedStatus(
      copies,
      new Map([['a'.repeat(32), 'abnormal']]),
      { final: true, ready: false, reason: 'ComponentsFailed', message: 'copied component(s) failed' },
      at,
    );
    expect(next.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['ComponentsReady', 'False', 'ComponentsFailed'],
      ['Stalled', 'True', 'ComponentsFailed'],
    ]);
  });

  it('keeps the last known status of a copy the poll did not report', () => {
    const next = followedStatus(
      copies,
      new Map(),
      { final: false, ready: false, reason: 'ComponentsStarting', message: '' },
      at,
    );
    expect(next.services?.[0]?.status).toBe('undeploy');
  });
});
