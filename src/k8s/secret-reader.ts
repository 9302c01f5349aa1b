// Reads one key of a Secret. Only `get` on the named Secret: the operator never lists Secrets.

import { httpStatusOf } from '@appcopy/kube-runtime';
import type { CoreV1Api } from '@kubernetes/client-node';

export type SecretValue =
  | { found: true; value: string }
  | { found: false; why: 'secret-missing' | 'key-missing' }
  /** `user`: who the API server says was refused (e.g. system:serviceaccount:NS:NAME), when it says. */
  | { found: false; why: 'forbidden'; user?: string };

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
        if (status === 403) {
          const user = refusedUser(error);
          return { found: false, why: 'forbidden', ...(user ? { user } : {}) };
        }
        throw error;
      }
    },
  };
}

/**
 * The user a 403 names. The API server's Status message reads `secrets "x" is forbidden: User
 * "system:serviceaccount:ns:name" cannot get resource ...`; the name only enriches the condition's
 * message (what to bind), so an answer of another shape just leaves it out.
 */
function refusedUser(error: unknown): string | undefined {
  const body = (error as { body?: unknown }).body;
  let message: unknown = body;
  if (typeof body === 'string') {
    try {
      message = (JSON.parse(body) as { message?: unknown }).message;
    } catch {
      message = body;
    }
  } else if (typeof body === 'object' && body !== null) {
    message = (body as { message?: unknown }).message;
  }
  if (typeof message !== 'string') return undefined;
  return /\bUser "([^"]+)" cannot get\b/.exec(message)?.[1];
}
