// The Rainbond console resources: RainbondConsole (namespaced, usable from its own namespace
// only) and ClusterRainbondConsole (cluster-scoped, usable from the namespaces its rules admit).
// Each names one console (URL, CA, token), its limits, and the rules of who may copy what
// through it. The CRDs (crds/) are the public contract; these zod schemas restate the spec so
// the operator can trust its input even if a CRD in a cluster is older or was edited.
import { z } from 'zod';
import { parseDuration } from '../duration.ts';
import { GROUP, VERSION } from './appcopy.ts';

export const CONSOLE_KIND = 'RainbondConsole';
export const CLUSTER_CONSOLE_KIND = 'ClusterRainbondConsole';
export const CONSOLE_PLURAL = 'rainbondconsoles';
export const CLUSTER_CONSOLE_PLURAL = 'clusterrainbondconsoles';
export const CONSOLE_API_VERSION = `${GROUP}/${VERSION}`;

export type ConsoleKind = typeof CONSOLE_KIND | typeof CLUSTER_CONSOLE_KIND;

/** An AppCopy's spec.consoleRef: which console resource it copies through. */
export interface ConsoleRef {
  kind: ConsoleKind;
  name: string;
}

/**
 * Where a console resource lives: the namespaced kind has a namespace, the cluster kind none.
 * Its key (`consoleKey`) names it in the operator's maps, metrics and messages.
 */
export interface ConsoleId {
  kind: ConsoleKind;
  namespace?: string;
  name: string;
}

/**
 * The operator's own console, from RAINBOND_URL and RAINBOND_TOKEN(_FILE): no resource, no
 * policy. It is the default console when DEFAULT_CONSOLE=env.
 */
export const OPERATOR_CONSOLE_KEY = 'Default';

export function consoleKey(id: ConsoleId): string {
  return id.kind === CLUSTER_CONSOLE_KIND ? `${id.kind}/${id.name}` : `${id.kind}/${id.namespace}/${id.name}`;
}

/** `ClusterRainbondConsole shared`, `RainbondConsole team-a/mine`. */
export function describeConsole(id: ConsoleId): string {
  return id.kind === CLUSTER_CONSOLE_KIND ? `${id.kind} ${id.name}` : `${id.kind} ${id.namespace}/${id.name}`;
}

/** The console an AppCopy in `namespace` names: a RainbondConsole is always looked up in that namespace. */
export function consoleIdOf(ref: ConsoleRef, namespace: string): ConsoleId {
  return ref.kind === CLUSTER_CONSOLE_KIND
    ? { kind: ref.kind, name: ref.name }
    : { kind: ref.kind, namespace, name: ref.name };
}

/** A console's URL as compared and recorded: the WHATWG serialisation without a trailing slash. */
export function normalizeConsoleUrl(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}

const dns1123Label = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .max(63);
const dns1123Subdomain = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
  .max(253);
const dataKey = z
  .string()
  .regex(/^[-._a-zA-Z0-9]+$/)
  .max(253);
const duration = z.string().refine((text) => (parseDuration(text) ?? 0) > 0, 'a duration like 30s or 10m');

/**
 * A team as a policy names it: a tenant name or id, where `*` stands for any run of characters
 * (`preview-*`, `*`). Matched against the AppCopy's spec.source.teamId and spec.target.teamName
 * exactly as written there.
 */
export const teamPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9_*-]+$/)
  .max(64);

const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

const allowRuleSchema = z.object({
  /** Names the rule in messages; otherwise its position. */
  name: z.string().min(1).max(63).optional(),
  /** ClusterRainbondConsole only: the namespaces this rule admits (listed, or matching the selector). */
  namespaces: z
    .object({ names: z.array(dns1123Label).optional(), selector: labelSelectorSchema.optional() })
    .optional(),
  sourceTeams: z.array(teamPatternSchema).min(1),
  targetTeams: z.array(teamPatternSchema).min(1),
});
export type AllowRule = z.infer<typeof allowRuleSchema>;

const keyRefSchema = z.object({
  namespace: dns1123Label.optional(),
  name: dns1123Subdomain,
  key: dataKey,
});
export type KeyRef = z.infer<typeof keyRefSchema>;

export const consoleSpecSchema = z.object({
  url: z
    .string()
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'an http(s) URL such as https://rainbond.example.com',
    ),
  caBundle: z
    .object({ secretKeyRef: keyRefSchema.optional(), configMapKeyRef: keyRefSchema.optional() })
    .refine(
      (ca) => (ca.secretKeyRef === undefined) !== (ca.configMapKeyRef === undefined),
      'exactly one of secretKeyRef and configMapKeyRef',
    )
    .optional(),
  credentialsSecretRef: keyRefSchema.extend({ key: dataKey.default('token') }),
  limits: z
    .object({
      copyConcurrency: z.number().int().min(1).max(256).optional(),
      requestTimeout: duration.optional(),
      copyTimeout: duration.optional(),
    })
    .default({}),
  allow: z.array(allowRuleSchema).min(1).max(100),
});
export type ConsoleSpec = z.infer<typeof consoleSpecSchema>;

/**
 * The spec of a console of `kind`, or the first reason it is unusable: the namespaced kind may
 * not name another namespace (its Secrets and ConfigMaps are its own) nor admit namespaces (it
 * serves its own); the cluster kind must say where its Secrets are and whom each rule admits.
 */
export function parseConsoleSpec(
  kind: ConsoleKind,
  raw: unknown,
): { ok: true; spec: ConsoleSpec } | { ok: false; message: string } {
  const parsed = consoleSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `spec.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const spec = parsed.data;
  const refs: [string, KeyRef | undefined][] = [
    ['credentialsSecretRef', spec.credentialsSecretRef],
    ['caBundle.secretKeyRef', spec.caBundle?.secretKeyRef],
    ['caBundle.configMapKeyRef', spec.caBundle?.configMapKeyRef],
  ];
  for (const [path, ref] of refs) {
    if (!ref) continue;
    if (kind === CLUSTER_CONSOLE_KIND && ref.namespace === undefined)
      return { ok: false, message: `spec.${path}.namespace is required on a ${kind}` };
    if (kind === CONSOLE_KIND && ref.namespace !== undefined)
      return {
        ok: false,
        message: `spec.${path}.namespace is not allowed on a ${kind}: it reads only its own namespace`,
      };
  }
  for (const [index, rule] of spec.allow.entries()) {
    const has = rule.namespaces?.names !== undefined || rule.namespaces?.selector !== undefined;
    if (kind === CLUSTER_CONSOLE_KIND && !has)
      return {
        ok: false,
        message: `spec.allow[${index}].namespaces needs names or a selector on a ${kind} (selector {} admits every namespace)`,
      };
    if (kind === CONSOLE_KIND && rule.namespaces !== undefined)
      return {
        ok: false,
        message: `spec.allow[${index}].namespaces is not allowed on a ${kind}: it serves only its own namespace`,
      };
  }
  return { ok: true, spec };
}

export const CONSOLE_CONDITION_READY = 'Ready';

export const ConsoleReason = {
  /** Reachable, TLS trusted, token accepted. */
  ConsoleReady: 'ConsoleReady',
  /** The spec cannot be used (only when the CRD in the cluster is older than the operator). */
  InvalidSpec: 'InvalidSpec',
  /** The token Secret or the CA bundle cannot be read. */
  CredentialsNotFound: 'CredentialsNotFound',
  CABundleNotFound: 'CABundleNotFound',
  /** No connection, a timeout, a reset. */
  Unreachable: 'Unreachable',
  /** The TLS handshake failed: the console's certificate is not trusted (or not for this name). */
  TLSUntrusted: 'TLSUntrusted',
  /** The console refused the token (401). */
  TokenRejected: 'TokenRejected',
  /** The console answered, but not as a console does (another status, an unreadable body). */
  UnexpectedAnswer: 'UnexpectedAnswer',
} as const;
export type ConsoleReasonName = (typeof ConsoleReason)[keyof typeof ConsoleReason];

export interface ConsoleCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ConsoleStatus {
  observedGeneration?: number;
  /** The console's release as it last stated it (GET /console/config/info); absent until read, or when it states none. */
  release?: string;
  conditions?: ConsoleCondition[];
}

/** A console resource as read from the API server (or the informer cache); spec unparsed. */
export interface ConsoleObject {
  apiVersion: string;
  kind: ConsoleKind;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    generation: number;
    resourceVersion: string;
  };
  spec: unknown;
  status?: ConsoleStatus;
}

export function consoleIdOfObject(object: Pick<ConsoleObject, 'kind' | 'metadata'>): ConsoleId {
  return object.kind === CLUSTER_CONSOLE_KIND
    ? { kind: object.kind, name: object.metadata.name }
    : { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name };
}
