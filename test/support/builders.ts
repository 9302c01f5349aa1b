// Fixture builders: a valid object by default, changed only by the modifiers a test names, so
// each test states just what matters to it. Ids are unique per call, never meaningful.
import { createHash } from 'node:crypto';
import {
  API_VERSION,
  type AppCopy,
  type AppCopySpec,
  type AppCopyStatus,
  appCopySpecSchema,
  DELETE_COPIES_FINALIZER,
  KIND,
  type Phase,
} from '../../src/api/appcopy.ts';
import type { Component, CopyableComponent, ServiceChange } from '../../src/rainbond/types.ts';

let sequence = 0;

/** A fresh 32-hex service id, like the console's (unique within the test process). */
export function aServiceId(): string {
  sequence += 1;
  return createHash('md5').update(`service-${sequence}`).digest('hex');
}

/** A component of the source app as the copy pre-flight lists it: complete, built from an image. */
export function aCopyableComponent(overrides: Partial<CopyableComponent> = {}): CopyableComponent {
  const serviceId = overrides.serviceId ?? aServiceId();
  return {
    serviceId,
    serviceCname: 'web',
    serviceAlias: `gr${serviceId.slice(-6)}`,
    createStatus: 'complete',
    serviceSource: 'docker_image',
    buildVersion: 'latest',
    image: 'nginx:latest',
    minMemory: 512,
    ...overrides,
  };
}

/** A component of an app (ServiceBaseInfo), as the component list returns it. */
export function aComponent(overrides: Partial<Component> = {}): Component {
  const serviceId = overrides.serviceId ?? aServiceId();
  const serviceAlias = overrides.serviceAlias ?? `gr${serviceId.slice(-6)}`;
  return {
    serviceId,
    serviceAlias,
    serviceCname: 'web',
    k8sComponentName: 'web',
    status: 'running',
    createStatus: 'complete',
    serviceSource: 'docker_image',
    ...overrides,
  };
}

/**
 * The copy the console would create from `source`: a new id, named `<cname>-copy`, with the
 * status the copy's answer gives it ("", read as null: the region has not seen it yet).
 */
export function aCopyOf(
  source: Pick<CopyableComponent, 'serviceCname'>,
  overrides: Partial<Component> = {},
): Component {
  return aComponent({ serviceCname: `${source.serviceCname}-copy`, status: null, ...overrides });
}

/** An AppCopy whose spec is typed while it is being built (the stored object's spec is `unknown`). */
export type AppCopyDraft = Omit<AppCopy, 'spec'> & { spec: AppCopySpec };
export type AppCopyModifier = (draft: AppCopyDraft) => void;

/**
 * A valid AppCopy at generation 1 without status: copy every component of app 12 into app 34,
 * default credentials, deletionPolicy Orphan. Modifiers apply in order.
 */
export function anAppCopy(...modifiers: AppCopyModifier[]): AppCopy {
  const draft: AppCopyDraft = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: 'shop-to-staging',
      namespace: 'team-a',
      uid: '7d5e0a52-1c8b-4f3e-9a57-0c9b8f1e2d31',
      generation: 1,
      resourceVersion: '1000',
    },
    spec: {
      source: { teamId: 'o19p6wen', regionName: 'rainbond', appId: 12 },
      target: { teamName: 'o19p6wen', regionName: 'rainbond', appId: 34 },
      deletionPolicy: 'Orphan',
    },
  };
  for (const modify of modifiers) modify(draft);
  return draft;
}

/** The spec of `anAppCopy(...modifiers)`, parsed like the reconciler parses it. */
export function aSpec(...modifiers: AppCopyModifier[]): AppCopySpec {
  return appCopySpecSchema.parse(anAppCopy(...modifiers).spec);
}

export const named =
  (name: string, namespace?: string): AppCopyModifier =>
  (d) => {
    d.metadata.name = name;
    if (namespace !== undefined) d.metadata.namespace = namespace;
  };

export const atGeneration =
  (generation: number): AppCopyModifier =>
  (d) => {
    d.metadata.generation = generation;
  };

/** Names the components to copy: ids, or `{ serviceId, change }` entries. */
export const copying =
  (...services: (string | { serviceId: string; change?: ServiceChange })[]): AppCopyModifier =>
  (d) => {
    d.spec.services = services.map((s) => (typeof s === 'string' ? { serviceId: s } : s));
  };

export const fromSource =
  (source: Partial<AppCopySpec['source']>): AppCopyModifier =>
  (d) => {
    d.spec.source = { ...d.spec.source, ...source };
  };

export const intoTarget =
  (target: Partial<AppCopySpec['target']>): AppCopyModifier =>
  (d) => {
    d.spec.target = { ...d.spec.target, ...target };
  };

export const withCredentialsSecret =
  (name: string): AppCopyModifier =>
  (d) => {
    d.spec.credentialsSecretRef = { name };
  };

/** Sets spec.deletionPolicy only; add `withDeleteFinalizer()` for the state the operator converges to. */
export const withDeletionPolicy =
  (policy: 'Orphan' | 'Delete'): AppCopyModifier =>
  (d) => {
    d.spec.deletionPolicy = policy;
  };

export const withDeleteFinalizer = (): AppCopyModifier => (d) => {
  d.metadata.finalizers = [...(d.metadata.finalizers ?? []), DELETE_COPIES_FINALIZER];
};

export const withFinalizer =
  (finalizer: string): AppCopyModifier =>
  (d) => {
    d.metadata.finalizers = [...(d.metadata.finalizers ?? []), finalizer];
  };

export const beingDeleted =
  (at = '2025-01-01T00:00:00Z'): AppCopyModifier =>
  (d) => {
    d.metadata.deletionTimestamp = at;
  };

export const withAnnotation =
  (key: string, value: string): AppCopyModifier =>
  (d) => {
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [key]: value };
  };

/** Replaces the status. */
export const withStatus =
  (status: AppCopyStatus): AppCopyModifier =>
  (d) => {
    d.status = status;
  };

/**
 * Sets status.phase and observedGeneration (default: the generation at this point of the
 * modifier list, so put `atGeneration` first to mean "observed this generation").
 */
export const inPhase =
  (phase: Phase, observedGeneration?: number): AppCopyModifier =>
  (d) => {
    d.status = {
      ...(d.status ?? {}),
      phase,
      observedGeneration: observedGeneration ?? d.metadata.generation,
    };
  };
