// Reads one key of a Secret. Only `get` on the named Secret: the operator never lists Secrets.
import type { CoreV1Api } from '@kubernetes/client-node';
import { httpStatusOf } from './api-errors.ts';

export type SecretValue =
  | { found: true; value: string }
  | { found: false; why: 'secret-missing' | 'key-missing' | 'forbidden' };

export interface SecretReader {
  readKey(namespace: string, name: string, key: string): Promise<SecretValue>;
}

export function createSecretReader(api: CoreV1Api): SecretReader {
  return {
    async readKey(namespace, name, key) {
      try {
        const secret = await api.readNamespacedSecret({ namespace, name });
        const encoded = secret.data?.[key];
        if (encoded === undefined) return { found: false, why: 'key-missing' };
        return { found: true, value: Buffer.from(encoded, 'base64').toString('utf8').trim() };
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 404) return { found: false, why: 'secret-missing' };
        if (status === 403) return { found: false, why: 'forbidden' };
        throw error;
      }
    },
  };
}
