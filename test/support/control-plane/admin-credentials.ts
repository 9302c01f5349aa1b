import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ApiServerCredentials {
  /** Bearer token of user `admin` in group system:masters, which RBAC always allows. */
  adminToken: string;
  /** --token-auth-file: CSV of token,user,uid,"groups". */
  tokenFile: string;
  /** PEM RSA private key signing and verifying service-account tokens (TokenRequest). */
  serviceAccountKeyFile: string;
}

/** Writes fresh credentials for one control plane into `runDir` (mode 0600). */
export function writeApiServerCredentials(runDir: string): ApiServerCredentials {
  const adminToken = randomBytes(24).toString('hex');
  const tokenFile = join(runDir, 'tokens.csv');
  writeFileSync(tokenFile, `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccountKeyFile = join(runDir, 'service-account.key');
  writeFileSync(serviceAccountKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { adminToken, tokenFile, serviceAccountKeyFile };
}
