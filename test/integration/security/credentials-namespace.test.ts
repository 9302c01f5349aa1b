// A credentialsSecretRef cannot reach another namespace. The reference has no namespace field
// (admission.test.ts shows `namespace:` refused) and its name cannot smuggle one in
// (admission-catalogue.test.ts: `other-team/rainbond-token` refused); here the operator itself,
// watching two teams' namespaces with REFUSE_DEFAULT_TOKEN=true, only ever reads the Secret of
// the AppCopy's own namespace: team B naming team A's Secret gets "does not exist" and no call
// reaches the console, and once B has its own Secret the copy is made with B's token, not A's.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { tokenFingerprint } from '../../support/simulator/index.ts';

describe('a credentialsSecretRef cannot reach another namespace', () => {
  it('is looked up only in the AppCopy’s own namespace, and the copy uses that namespace’s token', async () => {
    const w = await createWorld();
    const teamA = w.namespace;
    const teamB = await createTestNamespace(w.kc, 'ac-b');
    // Team A holds bob's token; team B has no Secret yet.
    await w.appcopies.putTokenSecret(teamA, 'rainbond-token', USERS.bob.token);
    await w.operator({ WATCH_NAMESPACES: `${teamA},${teamB}`, REFUSE_DEFAULT_TOKEN: 'true' });

    await w.appcopies.create(teamB, 'borrow', w.spec({ credentialsSecretRef: { name: 'rainbond-token' } }));
    const refused = await w.appcopies.waitFor(
      teamB,
      'borrow',
      (o) => condition(o, 'Ready')?.reason === 'CredentialsNotFound',
    );
    expect(refused.status?.phase).toBe('Pending');
    expect(condition(refused, 'Ready')?.message).toBe(
      `cannot use Secret ${teamB}/rainbond-token named by spec.credentialsSecretRef: it does not exist`,
    );
    // Nothing reached the console: not the copy, not even a read, with anyone's token (the
    // operator's tokenless read of the console's release at start is not about this AppCopy).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(w.sim.ledger.calls.filter((c) => c.route !== 'consoleConfig')).toHaveLength(0);

    // B's own Secret, with B's own identity (carol, whose token expired): the console sees B's
    // token, and refuses it; A's token is never used for B.
    await w.appcopies.putTokenSecret(teamB, 'rainbond-token', USERS.carol.token);
    const unauthorized = await w.appcopies.waitFor(
      teamB,
      'borrow',
      (o) => condition(o, 'Ready')?.reason === 'Unauthorized',
    );
    expect(unauthorized.status?.phase).toBe('Pending');
    const fingerprints = new Set(
      w.sim.ledger.calls.filter((c) => c.route !== 'consoleConfig').map((c) => c.tokenFingerprint),
    );
    expect(fingerprints).toEqual(new Set([tokenFingerprint(USERS.carol.token)]));

    // With a valid token of B's own (alice's), B copies; A's token never reached the console.
    await w.appcopies.putTokenSecret(teamB, 'rainbond-token', USERS.alice.token);
    await w.appcopies.waitFor(teamB, 'borrow', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(w.sim.ledger.calls.filter((c) => c.method === 'POST').map((c) => c.tokenFingerprint)).toEqual([
      tokenFingerprint(USERS.alice.token),
    ]);
    expect(w.sim.ledger.calls.map((c) => c.tokenFingerprint)).not.toContain(
      tokenFingerprint(USERS.bob.token),
    );
  });
});
