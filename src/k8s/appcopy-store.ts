// Reads and writes AppCopy objects on the API server. Every write carries the resourceVersion
// that was read: the API server's optimistic concurrency is what makes the status write the
// lock of the exactly-once protocol (a stale reader or a second replica gets ConflictError).

import { NotFoundError, translateApiError } from '@appcopy/kube-runtime';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { type AppCopy, type AppCopyStatus, GROUP, PLURAL, VERSION } from '../api/appcopy.ts';

export interface AppCopyStore {
  /** A fresh read from the API server (never the informer cache); undefined when it is gone. */
  get(namespace: string, name: string): Promise<AppCopy | undefined>;
  /** Replaces status with the read object's resourceVersion; returns the stored object. */
  writeStatus(object: AppCopy, status: AppCopyStatus): Promise<AppCopy>;
  /** Replaces metadata.finalizers with the read object's resourceVersion; returns the stored object. */
  writeFinalizers(object: AppCopy, finalizers: string[]): Promise<AppCopy>;
  /** Sets one annotation with the read object's resourceVersion; returns the stored object. */
  writeAnnotation(object: AppCopy, key: string, value: string): Promise<AppCopy>;
  /** Removes one annotation with the read object's resourceVersion; returns the stored object. */
  removeAnnotation(object: AppCopy, key: string): Promise<AppCopy>;
}

/** The field manager of every write: metadata.managedFields says which fields the operator set. */
export const FIELD_MANAGER = 'appcopy-operator';

export function createAppCopyStore(api: CustomObjectsApi, fieldManager = FIELD_MANAGER): AppCopyStore {
  const base = { group: GROUP, version: VERSION, plural: PLURAL };

  /** A PUT of the object with new metadata, carrying the resourceVersion that was read. */
  async function writeMetadata(
    object: AppCopy,
    metadata: AppCopy['metadata'],
    what: string,
  ): Promise<AppCopy> {
    const { namespace, name } = object.metadata;
    try {
      return (await api.replaceNamespacedCustomObject({
        ...base,
        namespace,
        name,
        body: { ...object, metadata },
        fieldManager,
      })) as AppCopy;
    } catch (error) {
      translateApiError(error, `${what} of AppCopy ${namespace}/${name}`);
    }
  }

  return {
    async get(namespace, name) {
      try {
        return (await api.getNamespacedCustomObject({ ...base, namespace, name })) as AppCopy;
      } catch (error) {
        try {
          translateApiError(error, `AppCopy ${namespace}/${name}`);
        } catch (translated) {
          if (translated instanceof NotFoundError) return undefined;
          throw translated;
        }
      }
    },
    async writeStatus(object, status) {
      const { namespace, name } = object.metadata;
      const body = { ...object, status };
      try {
        return (await api.replaceNamespacedCustomObjectStatus({
          ...base,
          namespace,
          name,
          body,
          fieldManager,
        })) as AppCopy;
      } catch (error) {
        translateApiError(error, `status of AppCopy ${namespace}/${name}`);
      }
    },
    writeFinalizers(object, finalizers) {
      return writeMetadata(object, { ...object.metadata, finalizers }, 'finalizers');
    },
    writeAnnotation(object, key, value) {
      const annotations = { ...(object.metadata.annotations ?? {}), [key]: value };
      return writeMetadata(object, { ...object.metadata, annotations }, `annotation ${key}`);
    },
    removeAnnotation(object, key) {
      const { [key]: _removed, ...annotations } = object.metadata.annotations ?? {};
      return writeMetadata(object, { ...object.metadata, annotations }, `annotation ${key}`);
    },
  };
}
