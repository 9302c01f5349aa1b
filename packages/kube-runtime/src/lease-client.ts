import {
  ApiException,
  type ConfigurationOptions,
  type CoordinationV1Api,
  Observable,
  type V1Lease,
  V1MicroTime,
} from '@kubernetes/client-node';
import { ConflictError, KubeApiError } from './kube-api-error.ts';

// The leader elector's view of a coordination.k8s.io/v1 Lease: the record, plus the
// resourceVersion that makes every write conditional on nobody having written in between.

export interface LeaseRecord {
  /** '' (or absent) means nobody holds the lease and anyone may take it at once. */
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** Epoch milliseconds. */
  acquireTime?: number;
  /** Epoch milliseconds. */
  renewTime?: number;
  leaseTransitions?: number;
}

export interface LeaseSnapshot {
  resourceVersion: string;
  record: LeaseRecord;
}

export interface LeaseClient {
  /** The lease, or undefined when it does not exist. */
  get(namespace: string, name: string, signal: AbortSignal): Promise<LeaseSnapshot | undefined>;
  /** Creates the lease; LeaseConflictError when it already exists. */
  create(namespace: string, name: string, record: LeaseRecord, signal: AbortSignal): Promise<LeaseSnapshot>;
  /** Replaces the lease if it still has `resourceVersion`; LeaseConflictError when someone wrote it since. */
  replace(
    namespace: string,
    name: string,
    resourceVersion: string,
    record: LeaseRecord,
    signal: AbortSignal,
  ): Promise<LeaseSnapshot>;
}

/** A LeaseClient over client-node's CoordinationV1Api (`kc.makeApiClient(CoordinationV1Api)`). */
export function createKubeLeaseClient(api: CoordinationV1Api): LeaseClient {
  const call = async <T>(
    namespace: string,
    name: string,
    signal: AbortSignal,
    send: (options: ConfigurationOptions) => Promise<T>,
  ): Promise<T> => {
    try {
      return await send(withSignal(signal));
    } catch (err) {
      if (err instanceof ApiException) {
        if (err.code === 409) throw new ConflictError(`lease ${namespace}/${name}`);
        throw new KubeApiError(
          err.code,
          `lease ${namespace}/${name}: HTTP ${err.code}`,
          statusReason(err.body),
        );
      }
      throw err;
    }
  };

  return {
    async get(namespace, name, signal) {
      try {
        const lease = await call(namespace, name, signal, (options) =>
          api.readNamespacedLease({ namespace, name }, options),
        );
        return toSnapshot(lease);
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode === 404) return undefined;
        throw err;
      }
    },
    async create(namespace, name, record, signal) {
      const body = toLease(namespace, name, undefined, record);
      return toSnapshot(
        await call(namespace, name, signal, (options) =>
          api.createNamespacedLease({ namespace, body }, options),
        ),
      );
    },
    async replace(namespace, name, resourceVersion, record, signal) {
      const body = toLease(namespace, name, resourceVersion, record);
      return toSnapshot(
        await call(namespace, name, signal, (options) =>
          api.replaceNamespacedLease({ namespace, name, body }, options),
        ),
      );
    },
  };
}

/** Request options that attach `signal` to the outgoing request. */
function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function toLease(
  namespace: string,
  name: string,
  resourceVersion: string | undefined,
  record: LeaseRecord,
): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace, name, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: record.holderIdentity ?? '',
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: record.acquireTime === undefined ? undefined : new V1MicroTime(record.acquireTime),
      renewTime: record.renewTime === undefined ? undefined : new V1MicroTime(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  };
}

function toSnapshot(lease: V1Lease): LeaseSnapshot {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: toMillis(spec.acquireTime),
      renewTime: toMillis(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

// client-node declares MicroTime fields as Date but hands back the wire string.
function toMillis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function statusReason(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusReason(JSON.parse(body) as unknown);
    } catch {
      return undefined;
    }
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const reason = (body as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}
