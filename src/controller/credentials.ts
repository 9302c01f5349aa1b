// Which Rainbond token acts for an AppCopy. A credentialsSecretRef names a Secret in the
// AppCopy's own namespace (never another: the reference has no namespace field), key `token`.
// Without one, the operator's default token is used unless the operator refuses it.
import { Reason } from '../api/conditions.ts';
import type { SecretReader } from '../k8s/secret-reader.ts';

export const TOKEN_KEY = 'token';

export type TokenResolution =
  | { ok: true; token: string }
  | {
      ok: false;
      reason: typeof Reason.CredentialsNotFound | typeof Reason.DefaultTokenRefused;
      message: string;
    };

export interface CredentialsResolver {
  resolve(namespace: string, secretRef: { name: string } | undefined): Promise<TokenResolution>;
}

export function createCredentialsResolver(deps: {
  secrets: SecretReader;
  defaultToken: string | undefined;
  refuseDefaultToken: boolean;
}): CredentialsResolver {
  return {
    async resolve(namespace, secretRef) {
      if (!secretRef) {
        if (deps.refuseDefaultToken) {
          return {
            ok: false,
            reason: Reason.DefaultTokenRefused,
            message:
              'this operator requires every AppCopy to name its own credentials: set spec.credentialsSecretRef to a Secret in this namespace with key "token"',
          };
        }
        if (!deps.defaultToken) {
          return {
            ok: false,
            reason: Reason.CredentialsNotFound,
            message:
              'no credentials: set spec.credentialsSecretRef to a Secret in this namespace with key "token", or give the operator a default token (RAINBOND_TOKEN or RAINBOND_TOKEN_FILE)',
          };
        }
        return { ok: true, token: deps.defaultToken };
      }
      const read = await deps.secrets.readKey(namespace, secretRef.name, TOKEN_KEY);
      if (read.found && read.value.length > 0) return { ok: true, token: read.value };
      const why = read.found
        ? `key "${TOKEN_KEY}" is empty`
        : read.why === 'secret-missing'
          ? 'it does not exist'
          : read.why === 'key-missing'
            ? `it has no key "${TOKEN_KEY}"`
            : forbidden(namespace, read.why === 'forbidden' ? read.user : undefined);
      return {
        ok: false,
        reason: Reason.CredentialsNotFound,
        message: `cannot use Secret ${namespace}/${secretRef.name} named by spec.credentialsSecretRef: ${why}`,
      };
    },
  };
}

/**
 * Why a Secret could not be read for lack of RBAC, and what to bind. Installed with Secrets
 * opt-in (deploy/components/secrets-opt-in, or the chart's secrets.access=optIn), the operator
 * may read Secrets only in namespaces that bind the ClusterRole named after its ServiceAccount
 * plus `-secret-reader`; the ServiceAccount is the user the API server refused.
 */
export function forbidden(namespace: string, user: string | undefined): string {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user ?? '');
  if (!account) return 'the operator is not allowed to read it (RBAC)';
  const [, accountNamespace, accountName] = account;
  const role = `${accountName}-secret-reader`;
  return (
    `the operator may not read Secrets in namespace ${namespace}. To let this namespace's AppCopies use their own Secret, ` +
    `bind the ClusterRole ${role} to the operator here: kubectl -n ${namespace} create rolebinding ${role} ` +
    `--clusterrole=${role} --serviceaccount=${accountNamespace}:${accountName}`
  );
}
