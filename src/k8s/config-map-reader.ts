// Reads one key of a ConfigMap (a console's CA bundle). Only `get` on the named ConfigMap.
import { httpStatusOf } from '@appcopy/kube-runtime';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { SecretReader, SecretValue } from './secret-reader.ts';

export type ConfigMapReader = SecretReader;

export function createConfigMapReader(api: CoreV1Api): ConfigMapReader {
  return {
    async readKey(namespace, name, key): Promise<SecretValue> {
      try {
        const configMap = await api.readNamespacedConfigMap({ namespace, name });
        const text = configMap.data?.[key];
        if (text !== undefined) return { found: true, value: text.trim() };
        const binary = configMap.binaryData?.[key];
        if (binary !== undefined)
          return { found: true, value: Buffer.from(binary, 'base64').toString('utf8').trim() };
        return { found: false, why: 'key-missing' };
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 404) return { found: false, why: 'secret-missing' };
        if (status === 403) return { found: false, why: 'forbidden' };
        throw error;
      }
    },
  };
}
