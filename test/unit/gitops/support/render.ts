// Just enough of the GitOps tools' rendering to check, without a cluster, that the examples
// produce valid AppCopies: Argo CD's ApplicationSet Go templates ({{.param}}), the Flux
// Operator's ResourceSet templates (<< inputs.x | fn >>), and kustomize's resources, nameSuffix,
// namePrefix, namespace and JSON 6902 patches. Anything beyond that throws instead of guessing,
// so a richer example fails loudly here rather than passing untested.
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, Json>;

/** All YAML documents of a file, parsed. */
export function readYamlDocuments(path: string): Json[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Json;
  });
}

/** Replaces every string leaf through `render`. */
function mapStrings(value: Json, render: (text: string) => string): Json {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, render));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, render)]));
  }
  return value;
}

/** An ApplicationSet template with goTemplate: only {{.param}} references, missingkey=error. */
export function renderGoTemplate(template: Json, params: Record<string, string | number>): Json {
  return mapStrings(template, (text) =>
    text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
      const match = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression);
      if (!match) throw new Error(`unsupported Go template expression {{${expression}}}`);
      const value = params[match[1]!];
      if (value === undefined) throw new Error(`map has no entry for key "${match[1]}" (missingkey=error)`);
      return String(value);
    }),
  );
}

/** A ResourceSet template: << inputs.key >> with the pipes `quote` and `trunc N`. */
export function renderResourceSetTemplate(template: Json, inputs: Record<string, string>): Json {
  return mapStrings(template, (text) =>
    text.replace(/<<-?\s*(.*?)\s*-?>>/g, (_, expression: string) => {
      const [head, ...pipes] = expression.split('|').map((p) => p.trim());
      const match = /^inputs\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(head ?? '');
      if (!match) throw new Error(`unsupported ResourceSet template expression << ${expression} >>`);
      let value = inputs[match[1]!];
      if (value === undefined) throw new Error(`no input "${match[1]}"`);
      for (const pipe of pipes) {
        const trunc = /^trunc (\d+)$/.exec(pipe);
        if (trunc) value = value.slice(0, Number(trunc[1]));
        else if (pipe === 'quote') value = JSON.stringify(value);
        else throw new Error(`unsupported template function "${pipe}"`);
      }
      return value;
    }),
  );
}

export interface KustomizeOverrides {
  nameSuffix?: string;
  namePrefix?: string;
  namespace?: string;
  patches?: { target?: Record<string, string>; patch: string }[];
}

/**
 * `kustomize build dir`, with the overrides an Argo CD Application (spec.source.kustomize) or a
 * Flux Kustomization (spec.nameSuffix, spec.patches, spec.targetNamespace) adds on top.
 */
export function kustomizeBuild(dir: string, overrides: KustomizeOverrides = {}): KubeObject[] {
  const [kustomization] = readYamlDocuments(join(dir, 'kustomization.yaml')) as Record<string, Json>[];
  if (!kustomization) throw new Error(`${dir}: empty kustomization.yaml`);
  const supported = new Set([
    'apiVersion',
    'kind',
    'resources',
    'nameSuffix',
    'namePrefix',
    'namespace',
    'patches',
  ]);
  for (const key of Object.keys(kustomization)) {
    if (!supported.has(key)) throw new Error(`${dir}/kustomization.yaml: "${key}" is not simulated`);
  }
  let objects = ((kustomization.resources as string[] | undefined) ?? []).flatMap(
    (file) => readYamlDocuments(join(dir, file)) as KubeObject[],
  );
  const patches = [
    ...((kustomization.patches as KustomizeOverrides['patches']) ?? []),
    ...(overrides.patches ?? []),
  ];
  for (const { target, patch } of patches) {
    objects = objects.map((o) => (matches(o, target) ? applyJson6902(o, patch) : o));
  }
  const prefix = overrides.namePrefix ?? (kustomization.namePrefix as string | undefined) ?? '';
  const suffix = overrides.nameSuffix ?? (kustomization.nameSuffix as string | undefined) ?? '';
  const namespace = overrides.namespace ?? (kustomization.namespace as string | undefined);
  return objects.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      name: `${prefix}${o.metadata.name}${suffix}`,
      ...(namespace ? { namespace } : {}),
    },
  }));
}

function matches(object: KubeObject, target: Record<string, string> | undefined): boolean {
  if (!target) throw new Error('a patch without a target is not simulated');
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata.name)
  );
}

function applyJson6902(object: KubeObject, patchText: string): KubeObject {
  const [operations] = parseAllDocuments(patchText).map((d) => d.toJS() as Json);
  if (!Array.isArray(operations))
    throw new Error('only JSON 6902 patches (a list of operations) are simulated');
  const result = structuredClone(object) as Json;
  for (const operation of operations as { op: string; path: string; value?: Json }[]) {
    const segments = operation.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop();
    if (last === undefined) throw new Error(`cannot patch the root (${operation.path})`);
    let parent: Json = result;
    for (const segment of segments) {
      const next: Json | undefined = Array.isArray(parent)
        ? parent[Number(segment)]
        : parent && typeof parent === 'object'
          ? parent[segment]
          : undefined;
      if (next === undefined || next === null || typeof next !== 'object') {
        throw new Error(`${operation.op} ${operation.path}: /${segments.join('/')} does not exist`);
      }
      parent = next;
    }
    const container = parent as Record<string, Json>;
    switch (operation.op) {
      case 'replace':
      case 'remove':
        if (!(last in container))
          throw new Error(`${operation.op} ${operation.path}: the target does not exist`);
        if (operation.op === 'remove') delete container[last];
        else container[last] = operation.value ?? null;
        break;
      case 'add':
        container[last] = operation.value ?? null;
        break;
      default:
        throw new Error(`JSON 6902 op "${operation.op}" is not simulated`);
    }
  }
  return result as KubeObject;
}

/** Every .yaml file under `dir`, recursively, as sorted paths relative to `dir`. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.ya?ml$/.test(path))
    .map((path) => path.split(sep).join('/'))
    .sort();
}
