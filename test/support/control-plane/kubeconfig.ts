import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  /** PEM bundle that signed the serving certificate. */
  caData: string;
  token: string;
  /** Cluster, user and context name. */
  name: string;
}

/** A kubeconfig document usable by kubectl and @kubernetes/client-node alike. */
export function renderKubeconfig(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: {
          server: input.server,
          'certificate-authority-data': Buffer.from(input.caData).toString('base64'),
        },
      },
    ],
    users: [{ name: `${input.name}-admin`, user: { token: input.token } }],
    contexts: [
      {
        name: input.name,
        context: { cluster: input.name, user: `${input.name}-admin`, namespace: 'default' },
      },
    ],
    'current-context': input.name,
  });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  writeFileSync(path, renderKubeconfig(input), { mode: 0o600 });
}
