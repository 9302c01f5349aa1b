import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { pollUntil } from './poll-until.ts';

export const testFieldManager = 'appcopy-tests';

/** The objects of a multi-document YAML text; empty documents are skipped, `List`s flattened. */
export function parseManifests(text: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]!.message}`);
    const value = document.toJS() as (KubernetesObject & { items?: KubernetesObject[] }) | null;
    if (value === null || value === undefined) continue;
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...value.items);
    else objects.push(value);
  }
  return objects;
}

/**
 * Server-side applies each object in order (creating or updating it, like `kubectl apply
 * --server-side --force-conflicts`) and waits for every CustomResourceDefinition to be
 * Established before the next object, so a file may hold a CRD followed by its resources.
 * Returns the objects as the server stored them.
 */
export async function applyManifests(
  kc: KubeConfig,
  objects: KubernetesObject[],
): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const object of objects) {
    const stored = await client.patch(
      object,
      undefined,
      undefined,
      testFieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
    applied.push(stored);
    if (object.kind === 'CustomResourceDefinition' && object.metadata?.name) {
      await waitForCrdEstablished(kc, object.metadata.name);
    }
  }
  return applied;
}

export async function applyManifestFile(kc: KubeConfig, path: string): Promise<KubernetesObject[]> {
  return applyManifests(kc, parseManifests(readFileSync(path, 'utf8')));
}

/**
 * Resolves once the CRD's Established condition is True (its API is served). Fails fast with
 * the server's message when its names are rejected (NamesAccepted False).
 */
export async function waitForCrdEstablished(kc: KubeConfig, name: string, timeoutMs = 30_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  let last = 'not read yet';
  const outcome = await pollUntil(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      const conditions = crd.status?.conditions ?? [];
      last = conditions.map((c) => `${c.type}=${c.status}`).join(', ') || 'no conditions';
      const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      if (rejected) return { rejected: rejected.message ?? rejected.reason ?? 'no reason given' };
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? {} : undefined;
    },
    {
      timeoutMs,
      onTimeout: () => new Error(`CRD ${name} was not Established within ${timeoutMs / 1000} s (${last})`),
    },
  );
  if (outcome.rejected !== undefined) throw new Error(`CRD ${name} was not accepted: ${outcome.rejected}`);
}
