// A ConsoleAccessor over one console client, for the controller's tests: every AppCopy copies
// through it, its rules allow everything, and the token is what the given credentials resolve
// (so a row without credentials sees the operator's real words for it). The real accessor, with
// console resources, rules and readiness, is tested in test/unit/controller/console-access.test.ts.
import { createSlots, type Slots } from '@appcopy/kube-runtime';
import type { AppCopy, AppCopySpec } from '../../src/api/appcopy.ts';
import type { ConsoleAccess, ConsoleAccessor, ConsoleSession } from '../../src/controller/console-access.ts';
import type { CredentialsResolver } from '../../src/controller/credentials.ts';
import type { RainbondClient } from '../../src/rainbond/client.ts';

/** The URL the tests' console is recorded at. */
export const TEST_CONSOLE_URL = 'http://rainbond-console.test:7070';

/** A session with `token` on `client`: what a step receives once its console is settled. */
export function aSession(
  client: RainbondClient,
  token: string,
  options: { settleMs?: number; copySlots?: Slots; onTokenRefused?: () => void } = {},
): ConsoleSession {
  return {
    console: { kind: 'Default', url: TEST_CONSOLE_URL },
    key: 'Default',
    client,
    token,
    copySlots: options.copySlots ?? createSlots('copy calls', 1),
    settleMs: options.settleMs ?? 60_000,
    admission: { allowed: true, rule: 'every copy (test console)' },
    tokenRefused: options.onTokenRefused ?? (() => {}),
  };
}

export function consoleAccessVia(
  client: RainbondClient,
  credentials: CredentialsResolver,
  options: { settleMs?: number; copySlots?: Slots } = {},
): ConsoleAccessor {
  const copySlots = options.copySlots ?? createSlots('copy calls', 1);
  async function access(object: AppCopy, spec: AppCopySpec): Promise<ConsoleAccess> {
    const token = await credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
    if (!token.ok) return { ok: false, reason: token.reason, message: token.message };
    return { ok: true, session: aSession(client, token.token, { ...options, copySlots }) };
  }
  return {
    forNewCopy: access,
    forExistingCopy: access,
    defaultConsoleKey: () => 'Default',
  };
}
