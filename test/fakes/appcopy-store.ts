// An in-memory API server for AppCopies, with the semantics the exactly-once protocol relies
// on: every write carries the resourceVersion that was read, a stale one is refused with
// ConflictError (the 409), and each stored write bumps the resourceVersion. Reads and writes
// hand out copies, so a test's object is never the stored one.

import { ConflictError, NotFoundError } from '@appcopy/kube-runtime';
import type { AppCopy, AppCopyStatus } from '../../src/api/appcopy.ts';
import { objectKey } from '../../src/api/appcopy.ts';
import { type AppCopyStore, FIELD_MANAGER } from '../../src/k8s/appcopy-store.ts';

/** One stored write, in order: what was written and the object as stored after it. */
export interface StoredWrite {
  kind: 'status' | 'finalizers' | 'annotation';
  stored: AppCopy;
}

export interface FakeAppCopyStore extends AppCopyStore {
  /** The object as stored now (a copy); undefined when it does not exist (or was deleted). */
  stored(namespace: string, name: string): AppCopy | undefined;
  /** Every write that was stored, oldest first (refused writes are not in it). */
  readonly writes: StoredWrite[];
  /**
   * Someone else changes the object (a user, another replica): `change` edits a copy of it,
   * which is stored with a new resourceVersion, so readers of the older one conflict.
   */
  changeBehindTheBack(namespace: string, name: string, change: (object: AppCopy) => void): AppCopy;
}

/**
 * Stores `objects` as they are (their resourceVersions included). Like the API server, an
 * object being deleted (deletionTimestamp set) is gone once its last finalizer is removed.
 */
export function createFakeAppCopyStore(...objects: AppCopy[]): FakeAppCopyStore {
  const items = new Map<string, AppCopy>();
  for (const o of objects) items.set(objectKey(o.metadata), structuredClone(o));
  const writes: StoredWrite[] = [];

  function current(object: AppCopy, what: string): AppCopy {
    const key = objectKey(object.metadata);
    const stored = items.get(key);
    if (!stored) throw new NotFoundError(`${what} of AppCopy ${key}`);
    if (stored.metadata.resourceVersion !== object.metadata.resourceVersion) {
      throw new ConflictError(`${what} of AppCopy ${key}`);
    }
    return stored;
  }

  function store(next: AppCopy, kind: StoredWrite['kind']): AppCopy {
    const key = objectKey(next.metadata);
    next.metadata.resourceVersion = String(Number(next.metadata.resourceVersion ?? '0') + 1);
    const gone = next.metadata.deletionTimestamp !== undefined && !next.metadata.finalizers?.length;
    if (gone) items.delete(key);
    else items.set(key, next);
    writes.push({ kind, stored: structuredClone(next) });
    return structuredClone(next);
  }

  return {
    async get(namespace, name) {
      const stored = items.get(`${namespace}/${name}`);
      return stored && structuredClone(stored);
    },
    async writeStatus(object, status: AppCopyStatus) {
      // The status subresource: only status changes, whatever else the written object holds.
      const stored = current(object, 'status');
      return store({ ...structuredClone(stored), status: structuredClone(status) }, 'status');
    },
    async writeFinalizers(object, finalizers) {
      const stored = structuredClone(current(object, 'finalizers'));
      return store(
        { ...stored, metadata: { ...stored.metadata, finalizers: [...finalizers] } },
        'finalizers',
      );
    },
    async writeAnnotation(object, key, value) {
      const stored = structuredClone(current(object, `annotation ${key}`));
      const annotations = { ...(stored.metadata.annotations ?? {}), [key]: value };
      const metadata = { ...stored.metadata, annotations };
      return store({ ...stored, metadata: ownAnnotation(metadata, key, true) }, 'annotation');
    },
    async removeAnnotation(object, key) {
      const stored = structuredClone(current(object, `annotation ${key}`));
      const { [key]: _removed, ...annotations } = stored.metadata.annotations ?? {};
      const metadata = { ...stored.metadata, annotations };
      return store({ ...stored, metadata: ownAnnotation(metadata, key, false) }, 'annotation');
    },
    stored(namespace, name) {
      const stored = items.get(`${namespace}/${name}`);
      return stored && structuredClone(stored);
    },
    writes,
    changeBehindTheBack(namespace, name, change) {
      const stored = items.get(`${namespace}/${name}`);
      if (!stored) throw new Error(`no AppCopy ${namespace}/${name} to change`);
      const next = structuredClone(stored);
      change(next);
      next.metadata.resourceVersion = String(Number(stored.metadata.resourceVersion ?? '0') + 1);
      items.set(`${namespace}/${name}`, next);
      return structuredClone(next);
    },
  };
}

/**
 * What the API server's field management records for the operator's writes: the annotation it
 * set is its own in metadata.managedFields (one Update entry of FIELD_MANAGER), and no longer
 * once removed.
 */
function ownAnnotation(metadata: AppCopy['metadata'], key: string, owned: boolean): AppCopy['metadata'] {
  const entries = metadata.managedFields ?? [];
  const ours = entries.find((e) => e.manager === FIELD_MANAGER && e.operation === 'Update' && !e.subresource);
  const fields = structuredClone(ours?.fieldsV1 ?? {}) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  const annotations = { ...(fields['f:metadata']?.['f:annotations'] ?? {}) };
  if (owned) annotations[`f:${key}`] = {};
  else delete annotations[`f:${key}`];
  const entry = {
    manager: FIELD_MANAGER,
    operation: 'Update',
    fieldsType: 'FieldsV1',
    fieldsV1: { ...fields, 'f:metadata': { ...(fields['f:metadata'] ?? {}), 'f:annotations': annotations } },
  };
  return { ...metadata, managedFields: [...entries.filter((e) => e !== ours), entry] };
}
