// The AppCopy resource as the operator sees it. The CRD (crds/) is the public contract; these
// zod schemas restate the spec so the controller can trust its input even if the CRD in a
// cluster is older or was edited (defence in depth: the console answers bad input with 500s).
import { z } from 'zod';

export const GROUP = 'openapi.rainbond.io';
export const VERSION = 'v1alpha1';
export const PLURAL = 'appcopies';
export const KIND = 'AppCopy';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Added while deletionPolicy is Delete; removed once the copied components are gone. */
export const DELETE_COPIES_FINALIZER = `${GROUP}/delete-copies`;
/** Set to "true" on an AppCopy being deleted to let go without deleting the copies. */
export const ABANDON_ANNOTATION = `${GROUP}/abandon-copies`;

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/)
  .max(64);

export const appCopySpecSchema = z.object({
  source: z.object({ teamId: name, regionName: name, appId: z.number().int().min(1) }),
  target: z.object({ teamName: name, regionName: name, appId: z.number().int().min(1) }),
  services: z
    .array(
      z.object({
        serviceId: z.string().regex(/^[0-9a-f]{32}$/),
        change: z
          .object({
            // The console's serializer caps the version at 32 characters.
            buildSource: z.object({ version: z.string().min(1).max(32) }).optional(),
            envs: z
              .record(
                z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/),
                z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/),
              )
              .optional(),
          })
          .optional(),
      }),
    )
    .max(200)
    .refine(
      (list) => new Set(list.map((s) => s.serviceId)).size === list.length,
      'each serviceId at most once',
    )
    .optional(),
  credentialsSecretRef: z.object({ name: z.string().min(1).max(253) }).optional(),
  consoleRef: z
    .object({
      kind: z.enum(['RainbondConsole', 'ClusterRainbondConsole']),
      name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
        .max(253),
    })
    .optional(),
  deletionPolicy: z.enum(['Orphan', 'Delete']).default('Orphan'),
});
export type AppCopySpec = z.infer<typeof appCopySpecSchema>;

export type Phase = 'Pending' | 'Copying' | 'Succeeded' | 'Failed';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Where a copy can be reached, as the console answered when it was last read. */
export interface ServiceAddresses {
  /** HTTP(S) URLs of its gateway rules, with their paths. */
  urls?: string[];
  /** `host:port` endpoints of its TCP gateway rules. */
  tcpEndpoints?: string[];
}

export interface CopiedService {
  serviceId: string;
  serviceAlias?: string;
  serviceCname?: string;
  k8sComponentName?: string;
  status?: string;
  /** Absent until read (once the copy runs); `{}` when it has none. */
  addresses?: ServiceAddresses;
}

/** The exactly-once record: written before the copy call, read after a crash or unknown outcome. */
export interface CopyAttempt {
  id: string;
  number: number;
  generation: number;
  startedAt: string;
  finishedAt?: string;
  /** The console answered the call (even with an error): it is no longer working on it. */
  callEnded?: boolean;
  /** The console's message when it answered the call with an error (a 500's msg). */
  consoleError?: string;
  /** Earlier answered calls of this generation that failed and left nothing (rolled back). */
  rolledBackCalls?: number;
  preexistingServiceIds: string[];
  expectedCopies: string[];
}

/**
 * The console the copy was made in, recorded with the intent: verifying, following and deleting
 * the copies use this console, whatever spec.consoleRef or the default console say later.
 * `Default` is the operator's own console (RAINBOND_URL), which has no resource.
 */
export interface RecordedConsole {
  kind: 'RainbondConsole' | 'ClusterRainbondConsole' | 'Default';
  name?: string;
  url: string;
}

export interface AppCopyStatus {
  phase?: Phase;
  console?: RecordedConsole;
  observedGeneration?: number;
  copiedCount?: number;
  services?: CopiedService[];
  /** The first HTTP(S) URL of the copies: where the preview answers. */
  url?: string;
  attempt?: CopyAttempt;
  lastError?: string;
  conditions?: Condition[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  annotations?: Record<string, string>;
  /** Who set which fields (server-side field management); only the annotations are read. */
  managedFields?: ManagedFieldsEntry[];
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
}

/** An AppCopy as read from the API server. `spec` is unparsed until the reconciler parses it. */
export interface AppCopy {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  status?: AppCopyStatus;
}

export function objectKey(meta: { namespace: string; name: string }): string {
  return `${meta.namespace}/${meta.name}`;
}

export function parseKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { namespace: '', name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Target apps are identified by the console's URL, the region and the app id (app ids are
 * unique within a console; two console resources may name the same console).
 */
export function targetKey(consoleUrl: string, target: { regionName: string; appId: number }): string {
  return `${consoleUrl} ${target.regionName}/${target.appId}`;
}

/** Readable, single-line description of a zod error for a condition message. */
export function describeSpecError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`)
    .join('; ')
    .slice(0, 1000);
}
