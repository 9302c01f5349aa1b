// Flux (and every kstatus user) reads the AppCopy conditions correctly: for the objects the
// operator really writes in each state, kstatus's generic rules (test/support/kstatus.ts) give
// InProgress / Failed / Current / Terminating as intended, and so do the healthCheckExprs of
// deploy/flux (checked through a TypeScript transcription that evaluates them in Flux's order:
// no CEL evaluator is installed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { succeededStatus } from '../../../src/controller/status.ts';
import { anAppCopy } from '../../support/builders.ts';
import { computeKstatus } from '../../support/kstatus.ts';
import { FLUX_EXPRESSIONS, fluxHealth } from './support/flux-health.ts';
import { operatorStates } from './support/operator-states.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const states = await operatorStates();
const withStatus = states.filter((s) => s.object.status !== undefined);

const cond = (type: string, status: string) => ({
  type,
  status,
  reason: 'R',
  message: `${type}=${status}`,
});

describe('kstatus generic rules (as test/support/kstatus.ts restates them)', () => {
  it.each([
    {
      name: 'a deletionTimestamp wins over everything',
      object: { metadata: { deletionTimestamp: 'x', generation: 2 }, status: { observedGeneration: 1 } },
      status: 'Terminating',
    },
    {
      name: 'observedGeneration behind generation is InProgress',
      object: {
        metadata: { generation: 2 },
        status: { observedGeneration: 1, conditions: [cond('Ready', 'True')] },
      },
      status: 'InProgress',
    },
    {
      name: 'no observedGeneration skips the generation check',
      object: { metadata: { generation: 2 }, status: { conditions: [cond('Ready', 'True')] } },
      status: 'Current',
    },
    {
      name: 'Reconciling=True is InProgress',
      object: { status: { conditions: [cond('Ready', 'True'), cond('Reconciling', 'True')] } },
      status: 'InProgress',
    },
    {
      name: 'Stalled=True is Failed',
      object: { status: { conditions: [cond('Ready', 'True'), cond('Stalled', 'True')] } },
      status: 'Failed',
    },
    {
      name: 'with both, the first in list order decides',
      object: { status: { conditions: [cond('Stalled', 'True'), cond('Reconciling', 'True')] } },
      status: 'Failed',
    },
    {
      name: 'Reconciling=False means nothing',
      object: { status: { conditions: [cond('Reconciling', 'False'), cond('Ready', 'True')] } },
      status: 'Current',
    },
    {
      name: 'Ready=False is InProgress',
      object: { status: { conditions: [cond('Ready', 'False')] } },
      status: 'InProgress',
    },
    {
      name: 'Ready=Unknown is InProgress',
      object: { status: { conditions: [cond('Ready', 'Unknown')] } },
      status: 'InProgress',
    },
    {
      name: 'no known condition is Current',
      object: { status: { conditions: [cond('ComponentsReady', 'False')] } },
      status: 'Current',
    },
    { name: 'no status at all is Current', object: { metadata: { generation: 1 } }, status: 'Current' },
  ])('$name', ({ object, status }) => {
    expect(computeKstatus(object).status).toBe(status);
  });
});

describe('what kstatus concludes from the objects the operator writes', () => {
  it.each(states)('$name -> $kstatus', ({ object, kstatus }) => {
    expect(computeKstatus(object).status).toBe(kstatus);
  });

  it('reports the deciding condition message while in progress or failed', () => {
    const copying = states.find((s) => s.name.startsWith('Copying: the intent'))!;
    expect(computeKstatus(copying.object).message).toBe('copying 2 component(s) (attempt 1)');
  });
});

describe('the conditions follow the kstatus conventions in every state', () => {
  it.each(withStatus)('$name: never Reconciling and Stalled at once', ({ object }) => {
    const conditions = object.status?.conditions ?? [];
    const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
    expect(isTrue('Reconciling') && isTrue('Stalled')).toBe(false);
  });

  it.each(withStatus)(
    '$name: Ready is present, and every condition carries the observedGeneration of status',
    ({ object }) => {
      const status = object.status!;
      expect(status.conditions?.some((c) => c.type === 'Ready')).toBe(true);
      for (const condition of status.conditions ?? []) {
        expect(condition.observedGeneration).toBe(status.observedGeneration);
      }
    },
  );

  it.each(withStatus)(
    '$name: abnormal conditions are only ever True (abnormal-true polarity)',
    ({ object }) => {
      for (const condition of object.status?.conditions ?? []) {
        if (condition.type === 'Reconciling' || condition.type === 'Stalled')
          expect(condition.status).toBe('True');
      }
    },
  );

  it('without any status kstatus says Current; the healthCheckExprs make Flux wait instead', () => {
    const fresh = states.find((s) => s.object.status === undefined)!;
    // kstatus alone calls an AppCopy without status Current; the healthCheckExprs make Flux wait.
    expect(computeKstatus(fresh.object).status).toBe('Current');
    expect(fluxHealth(fresh.object)).toBe('Waiting');
  });
});

describe('deploy/flux healthCheckExprs', () => {
  const kustomization = parse(
    readFileSync(`${ROOT}deploy/flux/kustomization-health-checks.yaml`, 'utf8'),
  ) as {
    apiVersion: string;
    kind: string;
    spec: { wait?: boolean; healthCheckExprs: Record<string, string>[] };
  };

  it('is a Flux Kustomization with one AppCopy entry whose expressions are the transcribed ones', () => {
    expect(kustomization.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(kustomization.kind).toBe('Kustomization');
    expect(kustomization.spec.wait).toBe(true);
    expect(kustomization.spec.healthCheckExprs).toEqual([
      { apiVersion: 'openapi.rainbond.io/v1alpha1', kind: 'AppCopy', ...FLUX_EXPRESSIONS },
    ]);
  });

  it('is documented in docs/gitops.md with the same expressions', () => {
    const doc = readFileSync(`${ROOT}docs/gitops.md`, 'utf8');
    for (const expression of Object.values(FLUX_EXPRESSIONS)) expect(doc).toContain(expression);
  });

  it.each(states)('$name -> $flux', ({ object, flux }) => {
    expect(fluxHealth(object)).toBe(flux);
  });

  // Flux's wait (fluxcd/pkg:ssa/manager_wait.go@e2cfd1a2d181) ends well on Current, early on
  // Failed, and keeps waiting on anything else: kstatus's Terminating and the expressions'
  // InProgress for an AppCopy being deleted have the same effect.
  const forFluxWait = (status: string) => (status === 'Terminating' ? 'InProgress' : status);

  it.each(states.filter((s) => s.flux !== 'Waiting'))(
    '$name: agrees with kstatus, so adding the expressions changes nothing once status exists',
    ({ object }) => {
      expect(fluxHealth(object)).toBe(forFluxWait(computeKstatus(object).status));
    },
  );

  it.each([
    { name: 'without any status', status: undefined },
    { name: 'Ready=True (copied, copies being deleted)', status: { conditions: [cond('Ready', 'True')] } },
    {
      name: 'Stalled=True (a failed copy)',
      status: { conditions: [cond('Ready', 'False'), cond('Stalled', 'True')] },
    },
    {
      name: 'a status for an older generation',
      status: { observedGeneration: 1, conditions: [cond('Ready', 'True')] },
    },
  ])('an AppCopy being deleted, $name, is InProgress (kstatus: Terminating)', ({ status }) => {
    const object = { metadata: { generation: 2, deletionTimestamp: '2025-01-02T00:00:00Z' }, status };
    expect(computeKstatus(object).status).toBe('Terminating');
    expect(fluxHealth(object)).toBe('InProgress');
  });

  it.each([
    {
      name: 'inProgress before failed (kstatus goes by list order instead)',
      conditions: [cond('Stalled', 'True'), cond('Reconciling', 'True')],
      flux: 'InProgress',
    },
    {
      name: 'failed before current',
      conditions: [cond('Ready', 'True'), cond('Stalled', 'True')],
      flux: 'Failed',
    },
    { name: 'none true is InProgress', conditions: [cond('Ready', 'False')], flux: 'InProgress' },
  ])('evaluates in Flux order: $name', ({ conditions, flux }) => {
    expect(fluxHealth({ metadata: { generation: 1 }, status: { observedGeneration: 1, conditions } })).toBe(
      flux,
    );
  });
});

describe('the follower with following disabled (FOLLOW_TIMEOUT=0s)', () => {
  // With FOLLOW_TIMEOUT=0s the follower is not installed at all (src/operator.ts) and nextStep
  // treats Succeeded as done, so a copied AppCopy carries no ComponentsReady and stays Current.
  it('leaves a copied AppCopy without ComponentsReady when following is off, so kstatus says Current', () => {
    const at = { generation: 1, now: new Date('2025-01-01T00:00:00Z') };
    const status = succeededStatus({}, [], 'Copied', at, false);
    const object = { ...anAppCopy(), status };
    expect(object.status.conditions?.some((c) => c.type === 'ComponentsReady')).toBe(false);
    expect(computeKstatus(object).status).toBe('Current');
  });

  it('marks a fresh copy ComponentsStarting and Reconciling from the first write when following is on', () => {
    const at = { generation: 1, now: new Date('2025-01-01T00:00:00Z') };
    const copy = {
      serviceId: 'a'.repeat(32),
      serviceAlias: 'graaaaaa',
      serviceCname: 'web-copy',
      k8sComponentName: 'web',
      status: '',
      createStatus: 'complete',
      serviceSource: 'docker_image',
    };
    const status = succeededStatus({}, [copy], 'Copied', at, true);
    const object = { ...anAppCopy(), status };
    expect(computeKstatus(object).status).toBe('InProgress');
  });
});
