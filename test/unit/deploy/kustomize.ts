// Renders deploy/ the way a user installs it, with `kubectl kustomize` (kustomize v5), and
// parses the result. Tests judge the rendered objects, not the source files, so patches,
// components and kustomize's namespace handling are part of what they check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const OVERLAYS = ['cluster-wide', 'single-namespace'] as const;
export type Overlay = (typeof OVERLAYS)[number];
export const COMPONENTS = ['default-token', 'service-monitor'] as const;
/** Every component in deploy/components: COMPONENTS are the ones every overlay test combines. */
export type Component = (typeof COMPONENTS)[number] | 'monitoring' | 'secrets-opt-in';

/** The namespace the overlays install into unless a user's overlay moves them. */
export const OPERATOR_NAMESPACE = 'appcopy-system';
export const SERVICE_ACCOUNT = 'appcopy-operator';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
export type K8sObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};

/** `kubectl kustomize DIR` as YAML text; throws with kustomize's message when it refuses. */
export function kustomizeText(dir: string): string {
  return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() as K8sObject;
  });
}

/**
 * Renders an overlay as a user's own kustomization would: the overlay as its resource, plus
 * components and an optional `namespace:` that moves everything.
 */
export function renderText(
  overlay: Overlay,
  opts: { components?: Component[]; namespace?: string } = {},
): string {
  if (!opts.components?.length && !opts.namespace)
    return kustomizeText(join(DEPLOY_DIR, 'overlays', overlay));
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-kustomize-'));
  try {
    // kustomize accepts only relative paths to other kustomization directories.
    const rel = (path: string) => relative(dir, path);
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization'];
    if (opts.namespace) lines.push(`namespace: ${opts.namespace}`);
    lines.push('resources:', `  - ${rel(join(DEPLOY_DIR, 'overlays', overlay))}`);
    if (opts.components?.length) {
      lines.push(
        'components:',
        ...opts.components.map((c) => `  - ${rel(join(DEPLOY_DIR, 'components', c))}`),
      );
    }
    writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return kustomizeText(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function render(
  overlay: Overlay,
  opts: { components?: Component[]; namespace?: string } = {},
): K8sObject[] {
  return parseManifests(renderText(overlay, opts));
}

/** The one object of this kind (and name, if given); fails the test when there is not exactly one. */
export function only(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}
