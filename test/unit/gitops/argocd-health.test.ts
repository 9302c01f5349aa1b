// The Argo CD health check (deploy/argocd/health.lua), run in gopher-lua with only the
// libraries Argo CD opens for a health script from argocd-cm (test/support/gopher-lua), the
// way Argo CD tests its own: every case of health_test.yaml (fixture -> status and message),
// then the objects the operator really writes in each state. The runner is built with Go on
// first use; if it cannot be, the file fails (never skips).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appCopySpecSchema } from '../../../src/api/appcopy.ts';
import { loadCrdSchema, validateAgainstSchema } from './support/crd-schema.ts';
import { argoCdLua } from './support/lua-health.ts';
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
const lua = await argoCdLua();
const runHealthScript = lua.run;

// The versions Argo CD pins in its go.mod (argoproj/argo-cd:go.mod@37ee0097cf85, also v3.5.1).
const ARGO_CD_GOPHER_LUA = 'v1.1.2';
const ARGO_CD_GOPHER_JSON = 'v0.0.0-20190114024228-97fed8db8427';

describe("the script's environment is Argo CD's", () => {
  const object = { metadata: { name: 'probe' } };
  const healthy = (expression: string) => `return { status = "Healthy", message = ${expression} }`;

  it('is gopher-lua, with gopher-json reading the answer, at the versions Argo CD pins', () => {
    expect(lua.versions).toEqual({ 'gopher-lua': ARGO_CD_GOPHER_LUA, 'gopher-json': ARGO_CD_GOPHER_JSON });
  });

  it.each([
    { name: 'os.time() at global scope', source: healthy('tostring(os.time())'), key: 'time' },
    { name: 'os.date() at global scope', source: healthy('os.date("%Y")'), key: 'date' },
    { name: 'string.format', source: healthy('string.format("%d copies", 2)'), key: 'format' },
    { name: 'a string method, ("text"):upper()', source: healthy('("text"):upper()'), key: 'upper' },
    { name: 'math.floor', source: healthy('tostring(math.floor(1.5))'), key: 'floor' },
    { name: 'io.write', source: `io.write("x")\n${healthy('"x"')}`, key: 'write' },
  ])('refuses $name, as Argo CD does', ({ source, key }) => {
    const result = lua.runSource(source, object);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(`attempt to index a non-table object`);
    expect(result.ok ? '' : result.error).toContain(`'${key}'`);
  });

  it('reaches the safe os subset through require("os"): time and date, nothing else', () => {
    const source = `
      local os = require("os")
      local names = {}
      for name in pairs(os) do table.insert(names, name) end
      table.sort(names)
      return { status = "Healthy", message = table.concat(names, ",") .. " " .. type(os.time()) }`;
    expect(lua.runSource(source, object)).toMatchObject({ ok: true, message: 'date,time number' });
  });

  it('has the base and table libraries (pairs, tostring, table.concat, ...)', () => {
    const source = healthy('table.concat({ tostring(1), type(obj.metadata), tostring(#{ 1, 2 }) }, " ")');
    expect(lua.runSource(source, object)).toMatchObject({ ok: true, message: '1 table 2' });
  });

  it('reads the answer as Argo CD does: an unknown status becomes Unknown, a non-table is an error', () => {
    expect(lua.runSource('return { status = "Fine" }', object)).toMatchObject({
      ok: true,
      status: 'Unknown',
      message: 'Lua returned an invalid health status',
    });
    expect(lua.runSource('return "Healthy"', object)).toEqual({
      ok: false,
      error: 'expect table output from Lua script, not string',
    });
  });

  it("stops a script that runs past Argo CD's one-second deadline", () => {
    const result = lua.runSource('while true do end', object);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.error).toContain('context deadline exceeded');
  });

  it('health.lua names no library Argo CD leaves out (outside comments)', () => {
    const code = readFileSync(SCRIPT, 'utf8').replace(/--[^\n]*/g, '');
    expect(code).not.toMatch(/\b(string|math|os|io|debug|coroutine|require)\b/);
  });
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
    expect(result).toMatchObject({
      ok: true,
      status: healthStatus.status,
      message: healthStatus.message ?? '',
    });
  });

  it('answers only the fields Argo CD reads (status and message)', () => {
    for (const { inputPath } of cases) {
      const result = runHealthScript(SCRIPT, fixture(inputPath));
      expect(Object.keys(result.ok ? (result.returned as object) : {}).sort(), inputPath).toEqual([
        'message',
        'status',
      ]);
    }
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

  it.each(states.filter((s) => s.object.metadata.deletionTimestamp !== undefined))(
    '$name: says "Pending deletion" and what it waits for, as Argo CD 3.6 shows it',
    ({ object }) => {
      const result = runHealthScript(SCRIPT, object);
      const deleting = object.status?.conditions?.find((c) => c.type === 'Deleting');
      expect(result).toMatchObject({
        ok: true,
        status: 'Progressing',
        message: deleting
          ? `Pending deletion: ${deleting.reason}: ${deleting.message}`
          : `Pending deletion; blocked by finalizers: ${(object.metadata.finalizers ?? []).join(', ')}`,
      });
    },
  );
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
    expect(runHealthScript(SCRIPT, object)).toMatchObject({
      ok: true,
      status: 'Progressing',
      message: `Copying: ${message}`,
    });
  });
});
