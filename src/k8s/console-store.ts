// Writes the status of console resources (RainbondConsole, ClusterRainbondConsole), with the
// resourceVersion that was read: a conflict means the object changed, and the next check reads it again.
import { translateApiError } from '@appcopy/kube-runtime';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/appcopy.ts';
import {
  CLUSTER_CONSOLE_KIND,
  CLUSTER_CONSOLE_PLURAL,
  CONSOLE_PLURAL,
  type ConsoleObject,
  type ConsoleStatus,
} from '../api/console.ts';

export interface ConsoleStore {
  /** Replaces the status of `object` (as read); returns the stored object. */
  writeStatus(object: ConsoleObject, status: ConsoleStatus): Promise<ConsoleObject>;
}

export function createConsoleStore(api: CustomObjectsApi, fieldManager = 'appcopy-operator'): ConsoleStore {
  return {
    async writeStatus(object, status) {
      const { name, namespace } = object.metadata;
      const body = { ...object, status };
      try {
        const written =
          object.kind === CLUSTER_CONSOLE_KIND
            ? await api.replaceClusterCustomObjectStatus({
                group: GROUP,
                version: VERSION,
                plural: CLUSTER_CONSOLE_PLURAL,
                name,
                body,
                fieldManager,
              })
            : await api.replaceNamespacedCustomObjectStatus({
                group: GROUP,
                version: VERSION,
                plural: CONSOLE_PLURAL,
                namespace: namespace ?? '',
                name,
                body,
                fieldManager,
              });
        return written as ConsoleObject;
      } catch (error) {
        translateApiError(error, `status of ${object.kind} ${namespace ? `${namespace}/` : ''}${name}`);
      }
    },
  };
}
