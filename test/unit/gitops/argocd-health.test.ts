// The Argo CD health check (deploy/argocd/health.lua), run in a real Lua 5.1 interpreter the
// way Argo CD tests its own: every case of health_test.yaml (fixture -> status and message),
// then the objects the operator really writes in each state. lua5.1 missing fails the file.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appCopySpecSchema } from '../../../src/api/appcopy.ts';
import { loadCrdSchema, validateAgainstSchema } from './support/crd-schema.ts';
import { assertLuaAvailable, runHealthScript } from './support/lua-health.ts';
import { operatorStates } from './support/operator-states.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARGOCD = `${ROOT}deploy/argocd/`;
const SCRIPT = `${ARGOCD}health.lua`;
const HEALTH_KEY = 'resource.customizations.health.openapi.rainbond.io_AppCopy';

interface HealthCase {
  inputPath: string;
  healthStatus: { status: string; message?: string };
}
const cases = (parse(readFileSync(`${ARGOCD}health_test.yaml`, 'utf8')) as { tests: HealthCase[] }).tests;
const fixture = (inputPath: string) =>
  parse(readFileSync(`${ARGOCD}${inputPath}`, 'utf8')) as Record<string, unknown>;
const crdSchema = loadCrdSchema(`${ROOT}crds/appcopies.openapi.rainbond.io.yaml`);
const states = await operatorStates();

it('runs in a real Lua 5.1 interpreter (lua5.1 is installed)', () => {
  assertLuaAvailable();
});

describe('deploy/argocd/argocd-cm-patch.yaml', () => {
  it('registers health.lua verbatim under the AppCopy health key of argocd-cm', () => {
    const patch = parse(readFileSync(`${ARGOCD}argocd-cm-patch.yaml`, 'utf8')) as {
      kind: string;
      metadata: { name: string };
      data: Record<string, string>;
    };
    expect(patch.kind).toBe('ConfigMap');
    expect(patch.metadata.name).toBe('argocd-cm');
    expect(Object.keys(patch.data)).toEqual([HEALTH_KEY]);
    expect(patch.data[HEALTH_KEY]).toBe(readFileSync(SCRIPT, 'utf8'));
  });
});

describe('health_test.yaml: each fixture gets the health Argo CD must show', () => {
  it('names every fixture in testdata/ exactly once', () => {
    const listed = cases.map((c) => c.inputPath).sort();
    const present = readdirSync(`${ARGOCD}testdata`)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `testdata/${f}`)
      .sort();
    expect(listed).toEqual(present);
  });

  it.each(cases)('$inputPath is $healthStatus.status', ({ inputPath, healthStatus }) => {
    const result = runHealthScript(SCRIPT, fixture(inputPath));
    expect(result).toEqual({ ok: true, status: healthStatus.status, message: healthStatus.message ?? '' });
  });

  it.each(cases)('$inputPath is an AppCopy the CRD and the operator accept', ({ inputPath }) => {
    const object = fixture(inputPath);
    expect(validateAgainstSchema(crdSchema, object)).toEqual([]);
    expect(appCopySpecSchema.safeParse(object.spec).success).toBe(true);
  });
});

describe('health.lua on the objects the operator writes in each state', () => {
  it.each(states)('$name -> $argo', ({ object, argo }) => {
    const result = runHealthScript(SCRIPT, object);
    expect(result).toMatchObject({ ok: true, status: argo });
  });

  it('says why in the message, from the deciding condition', () => {
    const messages = states.map((s) => runHealthScript(SCRIPT, s.object));
    for (const result of messages) {
      expect(result.ok && result.message.length > 0).toBe(true);
    }
  });
});

describe('health.lua on malformed or partial objects', () => {
  it.each([
    {
      name: 'status is an empty object',
      object: { metadata: { generation: 1 }, status: {} },
      status: 'Progressing',
    },
    {
      name: 'conditions is empty',
      object: { metadata: {}, status: { conditions: [] } },
      status: 'Progressing',
    },
    {
      name: 'a condition has no reason or message',
      object: {
        metadata: { generation: 1 },
        status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
      },
      status: 'Healthy',
    },
    {
      name: 'metadata is missing',
      object: { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      status: 'Progressing',
    },
    {
      name: 'phase Failed without a Stalled condition',
      object: {
        metadata: {},
        status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'X' }] },
      },
      status: 'Degraded',
    },
  ])('does not fail when $name (-> $status)', ({ object, status }) => {
    expect(runHealthScript(SCRIPT, object)).toMatchObject({ ok: true, status });
  });

  it('passes non-ASCII and quoted text through unchanged', () => {
    const message = 'copie échouée: "web" \\ 组件';
    const object = {
      metadata: { generation: 1 },
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'Ready', status: 'False', reason: 'Copying', message }],
      },
    };
    expect(runHealthScript(SCRIPT, object)).toEqual({
      ok: true,
      status: 'Progressing',
      message: `Copying: ${message}`,
    });
  });
});
