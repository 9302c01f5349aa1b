// What the scenarios are made of: a namespace per scenario, the CRD, one empty target app per
// AppCopy in the simulator (copies into one target app are serialised by design, so a burst
// into a single app would measure that queue, not the operator), and AppCopies created or
// seeded in their finished state over a bounded number of kept-alive connections.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type AppCopy, type AppCopyStatus, GROUP, VERSION } from '../src/api/appcopy.ts';
import { ConditionType, Reason, setCondition } from '../src/api/conditions.ts';
import { intentStatus, succeededStatus } from '../src/controller/status.ts';
import type { Component } from '../src/rainbond/types.ts';
import {
  APPS,
  PREVIEW_SITE_COMPONENTS,
  REGION,
  SHOP_ONLINE_COMPONENTS,
  TEAMS,
} from '../test/support/simulator/fixtures/default.ts';
import type { Simulator } from '../test/support/simulator/index.ts';
import { expectStatus, type KubeRest } from './kube-rest.ts';

/** The operator's CRDs: AppCopy and the two console kinds it watches. */
const CRD_NAMES = [
  'appcopies.openapi.rainbond.io',
  'rainbondconsoles.openapi.rainbond.io',
  'clusterrainbondconsoles.openapi.rainbond.io',
];
const crdFile = (name: string) => fileURLToPath(new URL(`../crds/${name}.yaml`, import.meta.url));
const COLLECTION = (namespace: string) => `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/appcopies`;

/** Runs `work` over `items` with at most `limit` at once; rejects on the first failure. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Installs the CRDs unless they are there, and waits until they are served. */
export async function ensureCrd(kube: KubeRest): Promise<void> {
  const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const name of CRD_NAMES) {
    const created = await kube.request('POST', path, parse(readFileSync(crdFile(name), 'utf8')));
    expectStatus(created, [201, 409], `installing the CRD ${name}`);
  }
  const deadline = Date.now() + 30_000;
  for (const name of CRD_NAMES) {
    for (;;) {
      const crd = await kube.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        `${path}/${name}`,
      );
      if (crd.body?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`the CRD ${name} was not established within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A fresh namespace named `${prefix}-<random>`. */
export async function createNamespace(kube: KubeRest, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const created = await kube.request('POST', '/api/v1/namespaces', { metadata: { name } });
  expectStatus(created, [201], `creating namespace ${name}`);
  return name;
}

let nextTargetAppId = 100_000;

/** Adds `count` empty target apps in team staging; returns their ids. */
export function addTargetApps(sim: Simulator, count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = nextTargetAppId++;
    sim.state.addApp({ ID: id, team: TEAMS.staging.tenantName, region: REGION, group_name: `bench-${id}` });
    ids.push(id);
  }
  return ids;
}

/** Copies the three components of shop-online into `targetAppId`. */
export function specFor(targetAppId: number) {
  return {
    source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline },
    target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: targetAppId },
    services: SHOP_ONLINE_COMPONENTS.map((c) => ({ serviceId: c.serviceId })),
  };
}

/**
 * A preview: copies preview-site into `targetAppId`: site (an outer HTTP port), cache (an outer
 * TCP port) and queue (no outer port).
 */
export function previewSpecFor(targetAppId: number) {
  return {
    source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.previewSite },
    target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: targetAppId },
    services: PREVIEW_SITE_COMPONENTS.map((c) => ({ serviceId: c.serviceId })),
  };
}

export function manifest(
  namespace: string,
  name: string,
  targetAppId: number,
  spec: (targetAppId: number) => unknown = specFor,
) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'AppCopy',
    metadata: { name, namespace },
    spec: spec(targetAppId),
  };
}

/** Creates one AppCopy per target app (names `${prefix}-<index>`), `parallel` at once. */
export async function createAppCopies(
  kube: KubeRest,
  namespace: string,
  prefix: string,
  targetAppIds: readonly number[],
  parallel: number,
  spec: (targetAppId: number) => unknown = specFor,
): Promise<string[]> {
  const names = targetAppIds.map((_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
  await forEachLimit(targetAppIds, parallel, async (targetAppId, i) => {
    const created = await kube.request(
      'POST',
      COLLECTION(namespace),
      manifest(namespace, names[i] as string, targetAppId, spec),
    );
    expectStatus(created, [201], `creating AppCopy ${names[i]}`);
  });
  return names;
}

/**
 * The status the operator leaves on an AppCopy it copied and followed to the end: Succeeded,
 * Ready True, ComponentsReady True (ComponentsRunning), observedGeneration current. Built with
 * the operator's own status builders, so it is exactly what the operator would have written.
 */
export function finishedStatus(generation: number, now: Date): AppCopyStatus {
  const ctx = { generation, now };
  const components = SHOP_ONLINE_COMPONENTS.map((c): Component => {
    const serviceId = randomBytes(16).toString('hex');
    return {
      serviceId,
      serviceAlias: `gr${serviceId.slice(-6)}`,
      serviceCname: `${c.cname}-copy`,
      k8sComponentName: `${c.k8sName}-copy`,
      status: 'running',
      createStatus: 'complete',
      serviceSource: null,
    };
  });
  const intent = intentStatus(
    { services: [], copiedCount: 0 },
    {
      id: randomBytes(16).toString('hex'),
      number: 1,
      generation,
      startedAt: now.toISOString(),
      preexistingServiceIds: [],
      expectedCopies: SHOP_ONLINE_COMPONENTS.map((c) => c.serviceId),
    },
    ctx,
  );
  const succeeded = succeededStatus(intent, components, Reason.Copied, ctx);
  return {
    ...succeeded,
    conditions: setCondition(
      succeeded.conditions,
      {
        type: ConditionType.ComponentsReady,
        status: 'True',
        reason: Reason.ComponentsRunning,
        message: 'all 3 copies are running',
      },
      generation,
      now,
    ),
  };
}

/**
 * Seeds `count` AppCopies already copied and followed to the end, as a restart after a long
 * life would find them: create, then write the finished status through the status subresource.
 * Each target app id is distinct but never added to the simulator: the operator must not call.
 */
export async function seedFinishedAppCopies(
  kube: KubeRest,
  namespace: string,
  count: number,
  parallel: number,
  onProgress?: (done: number) => void,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `settled-${String(i).padStart(5, '0')}`);
  let done = 0;
  await forEachLimit(names, parallel, async (name, i) => {
    const created = await kube.request<AppCopy>(
      'POST',
      COLLECTION(namespace),
      manifest(namespace, name, 500_000 + i),
    );
    expectStatus(created, [201], `seeding AppCopy ${name}`);
    const object = created.body;
    const written = await kube.request('PUT', `${COLLECTION(namespace)}/${name}/status`, {
      ...object,
      status: finishedStatus(object.metadata.generation, new Date()),
    });
    expectStatus(written, [200], `writing the status of ${name}`);
    done++;
    if (onProgress && done % 1000 === 0) onProgress(done);
  });
  return names;
}
