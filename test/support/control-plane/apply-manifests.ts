import { readFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiextensionsV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { eventually } from '../eventually.ts';

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
 *
 * The objects are sent exactly as given. Why not client-node's KubernetesObjectApi: it passes
 * known kinds through its typed models, which silently drop every key they do not know by its
 * camelCase name, e.g. `x-kubernetes-validations` in a CRD schema, i.e. all CEL rules.
 */
export async function applyManifests(
  kc: KubeConfig,
  objects: KubernetesObject[],
): Promise<KubernetesObject[]> {
  const resources = new Map<string, Promise<ApiResource[]>>();
  const applied: KubernetesObject[] = [];
  for (const object of objects) {
    const { apiVersion, kind, metadata } = object;
    if (!apiVersion || !kind || !metadata?.name)
      throw new Error('every manifest needs apiVersion, kind and metadata.name');
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!resources.has(apiVersion)) {
      resources.set(
        apiVersion,
        request(kc, 'GET', prefix).then((list) => (list as { resources: ApiResource[] }).resources),
      );
    }
    const resource = (await resources.get(apiVersion)!).find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) throw new Error(`the server has no resource of kind ${kind} in ${apiVersion}`);
    const namespace = resource.namespaced ? `/namespaces/${metadata.namespace ?? 'default'}` : '';
    const path = `${prefix}${namespace}/${resource.name}/${encodeURIComponent(metadata.name)}`;
    const query = `?fieldManager=${testFieldManager}&force=true`;
    applied.push((await request(kc, 'PATCH', path + query, object)) as KubernetesObject);
    if (kind === 'CustomResourceDefinition') await waitForCrdEstablished(kc, metadata.name);
  }
  return applied;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** One JSON request with the KubeConfig's credentials; a non-2xx answer rejects with its message. */
async function request(
  kc: KubeConfig,
  method: 'GET' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the KubeConfig has no current cluster');
  const options: RequestOptions = {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/apply-patch+yaml' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, server), options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let parsed: { message?: string } | undefined;
        try {
          parsed = JSON.parse(text);
        } catch {}
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && parsed !== undefined) resolve(parsed);
        else
          reject(new Error(`${method} ${path} answered ${status}: ${parsed?.message ?? text.slice(0, 500)}`));
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body)); // JSON is YAML
  });
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
  const outcome = await eventually(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      const conditions = crd.status?.conditions ?? [];
      last = conditions.map((c) => `${c.type}=${c.status}`).join(', ') || 'no conditions';
      const rejected = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      if (rejected) return { rejected: rejected.message ?? rejected.reason ?? 'no reason given' };
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? {} : undefined;
    },
    {
      what: `CRD ${name} to be Established`,
      timeoutMs,
      onTimeout: () => new Error(`CRD ${name} was not Established within ${timeoutMs / 1000} s (${last})`),
    },
  );
  if (outcome.rejected !== undefined) throw new Error(`CRD ${name} was not accepted: ${outcome.rejected}`);
}
