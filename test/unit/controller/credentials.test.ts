import { describe, expect, it } from 'vitest';
import { createCredentialsResolver } from '../../../src/controller/credentials.ts';
import type { SecretReader, SecretValue } from '../../../src/k8s/secret-reader.ts';

const DEFAULT_TOKEN = 'd'.repeat(40);
const TEAM_TOKEN = '0123456789abcdef0123456789abcdef01234567';

/** Secrets held in memory, keyed `namespace/name`; names in `forbidden` cannot be read. */
function secretsOf(
  secrets: Record<string, Record<string, string>>,
  forbidden: string[] = [],
): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readKey(namespace, name, key): Promise<SecretValue> {
      reads.push(`${namespace}/${name}#${key}`);
      if (forbidden.includes(`${namespace}/${name}`)) return { found: false, why: 'forbidden' };
      const secret = secrets[`${namespace}/${name}`];
      if (!secret) return { found: false, why: 'secret-missing' };
      const value = secret[key];
      return value === undefined ? { found: false, why: 'key-missing' } : { found: true, value };
    },
  };
}

const secrets = {
  'team-a/rainbond-token': { token: TEAM_TOKEN },
  'team-a/no-token-key': { password: TEAM_TOKEN },
  'team-a/empty-token': { token: '' },
  'team-b/rainbond-token': { token: 'b'.repeat(40) },
};

describe('createCredentialsResolver', () => {
  it.each([
    {
      name: 'a named Secret with a token is used',
      ref: { name: 'rainbond-token' },
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: { ok: true, token: TEAM_TOKEN },
    },
    {
      name: 'a named Secret is used even when the operator refuses the default token',
      ref: { name: 'rainbond-token' },
      defaultToken: DEFAULT_TOKEN,
      refuse: true,
      result: { ok: true, token: TEAM_TOKEN },
    },
    {
      name: 'a named Secret that does not exist is reported with its namespace and name, never falling back to the default',
      ref: { name: 'missing' },
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: {
        ok: false,
        reason: 'CredentialsNotFound',
        message: 'cannot use Secret team-a/missing named by spec.credentialsSecretRef: it does not exist',
      },
    },
    {
      name: 'a named Secret without the token key says which key it needs',
      ref: { name: 'no-token-key' },
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: {
        ok: false,
        reason: 'CredentialsNotFound',
        message:
          'cannot use Secret team-a/no-token-key named by spec.credentialsSecretRef: it has no key "token"',
      },
    },
    {
      name: 'a named Secret whose token is empty says so',
      ref: { name: 'empty-token' },
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: {
        ok: false,
        reason: 'CredentialsNotFound',
        message:
          'cannot use Secret team-a/empty-token named by spec.credentialsSecretRef: key "token" is empty',
      },
    },
    {
      name: 'a named Secret the operator may not read points at RBAC',
      ref: { name: 'locked' },
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: {
        ok: false,
        reason: 'CredentialsNotFound',
        message:
          'cannot use Secret team-a/locked named by spec.credentialsSecretRef: the operator is not allowed to read it (RBAC)',
      },
    },
    {
      name: 'without a Secret the default token is used',
      ref: undefined,
      defaultToken: DEFAULT_TOKEN,
      refuse: false,
      result: { ok: true, token: DEFAULT_TOKEN },
    },
    {
      name: 'without a Secret or a default token the message says how to provide either',
      ref: undefined,
      defaultToken: undefined,
      refuse: false,
      result: {
        ok: false,
        reason: 'CredentialsNotFound',
        message: expect.stringMatching(/credentialsSecretRef.*RAINBOND_TOKEN or RAINBOND_TOKEN_FILE/),
      },
    },
    {
      name: 'an empty default token counts as none',
      ref: undefined,
      defaultToken: '',
      refuse: false,
      result: { ok: false, reason: 'CredentialsNotFound' },
    },
    {
      name: 'without a Secret, an operator that refuses the default token says to name a Secret',
      ref: undefined,
      defaultToken: DEFAULT_TOKEN,
      refuse: true,
      result: {
        ok: false,
        reason: 'DefaultTokenRefused',
        message: expect.stringContaining('set spec.credentialsSecretRef'),
      },
    },
  ])('$name', async ({ ref, defaultToken, refuse, result }) => {
    const resolver = createCredentialsResolver({
      secrets: secretsOf(secrets, ['team-a/locked']),
      defaultToken,
      refuseDefaultToken: refuse,
    });
    const resolution = await resolver.resolve('team-a', ref);
    expect(resolution).toMatchObject(result);
    if (!resolution.ok) {
      expect(resolution.message).not.toContain(DEFAULT_TOKEN);
      expect(resolution.message).not.toContain(TEAM_TOKEN);
    }
  });

  it('the Secret is read from the AppCopy’s own namespace, key token, never another namespace', async () => {
    const reader = secretsOf(secrets);
    const resolver = createCredentialsResolver({
      secrets: reader,
      defaultToken: undefined,
      refuseDefaultToken: false,
    });
    expect(await resolver.resolve('team-b', { name: 'rainbond-token' })).toEqual({
      ok: true,
      token: 'b'.repeat(40),
    });
    expect(await resolver.resolve('team-c', { name: 'rainbond-token' })).toMatchObject({ ok: false });
    expect(reader.reads).toEqual(['team-b/rainbond-token#token', 'team-c/rainbond-token#token']);
  });
});
