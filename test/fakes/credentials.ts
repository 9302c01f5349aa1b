// CredentialsResolvers that answer at once: a token, or the reason there is none.
import { Reason } from '../../src/api/conditions.ts';
import type { CredentialsResolver } from '../../src/controller/credentials.ts';

/** Every AppCopy's credentials resolve to `token`. */
export function credentialsWith(token = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4'): CredentialsResolver {
  return { resolve: async () => ({ ok: true, token }) };
}

/** The message a missing Secret gives (as the real resolver words it for team-a/rainbond-token). */
export const MISSING_SECRET_MESSAGE =
  'cannot use Secret team-a/rainbond-token named by spec.credentialsSecretRef: it does not exist';

/** No AppCopy has credentials: the named Secret does not exist. */
export function noCredentials(message = MISSING_SECRET_MESSAGE): CredentialsResolver {
  return { resolve: async () => ({ ok: false, reason: Reason.CredentialsNotFound, message }) };
}
