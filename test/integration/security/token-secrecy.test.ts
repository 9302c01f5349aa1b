// The token never shows: the operator runs at LOG_LEVEL=trace with known tokens (the default
// one, and others from credentials Secrets) through every path that handles one: a copy, an
// unknown outcome verified, a console error whose body echoes the token, refused and expired
// tokens, a token that cannot go into a header, a copy into a team the token's user is not a
// member of, deleting the copies. Then everything captured is searched for any 12-character
// piece of any of those tokens: the operator's whole output, every Event, every AppCopy as
// stored, the metrics, and the simulator's ledger.
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { tokenFingerprint } from '../../support/simulator/index.ts';

/** Every 12-character window of the token: a partial leak is still a leak. */
function pieces(token: string): string[] {
  return Array.from({ length: token.length - 11 }, (_, i) => token.slice(i, i + 12));
}

describe('the token never appears in anything the operator produces', () => {
  it('not in logs, Events, status, error messages, metrics or the ledger', async () => {
    const w = await createWorld();
    const DEFAULT = USERS.alice.token;
    const UNKNOWN = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
    const EXPIRED = USERS.carol.token;
    const NOT_A_MEMBER = USERS.bob.token;
    const UNSENDABLE = 'abc123\u0001def456ghi789jkl012mno345pqr678';
    await w.appcopies.putTokenSecret(w.namespace, 'unknown', UNKNOWN);
    await w.appcopies.putTokenSecret(w.namespace, 'expired', EXPIRED);
    await w.appcopies.putTokenSecret(w.namespace, 'not-a-member', NOT_A_MEMBER);
    await w.appcopies.putTokenSecret(w.namespace, 'unsendable', UNSENDABLE);

    // The copy's answer is lost once (verified, then adopted); a pre-flight fails with a body
    // echoing the token, as a careless proxy might.
    w.sim.faults.add({ route: 'copy', kind: 'timeout-after-effect', times: 1 });
    w.sim.faults.add({
      route: 'copyPreflight',
      kind: 'error-before-effect',
      status: 500,
      body: { code: 500, msg: `invalid token ${DEFAULT}`, msg_show: `令牌 ${DEFAULT} 无效`, detail: DEFAULT },
      times: 1,
    });
    const operator = await w.operator({
      LOG_LEVEL: 'trace',
      RAINBOND_TOKEN: DEFAULT,
      RAINBOND_COPY_TIMEOUT: '2s',
      VERIFY_SETTLE_PERIOD: '3s',
    });

    await w.appcopies.create(w.namespace, 'default-token', w.spec({ deletionPolicy: 'Delete' }));
    const copied = await w.appcopies.waitFor(w.namespace, 'default-token', isPhase('Succeeded'));
    expect(condition(copied, 'Ready')?.reason).toBe('Adopted');
    const withSecret = (name: string) => ({ credentialsSecretRef: { name }, target: w.spec().target });
    for (const name of ['unknown', 'expired', 'not-a-member', 'unsendable']) {
      const target = { ...w.spec().target, appId: w.newTargetApp() };
      await w.appcopies.create(w.namespace, name, w.spec({ ...withSecret(name), target }));
    }
    for (const [name, reason] of [
      ['unknown', 'Unauthorized'],
      ['expired', 'Unauthorized'],
      ['unsendable', 'Unauthorized'],
      ['not-a-member', 'CopyRejected'],
    ] as const) {
      await w.appcopies.waitFor(w.namespace, name, (o) => condition(o, 'Ready')?.reason === reason);
    }
    // Deleting with deletionPolicy Delete deletes the copies (forced, no stop first) with the token.
    await w.appcopies.delete(w.namespace, 'default-token');
    await w.appcopies.waitForGone(w.namespace, 'default-token');

    const health = await operator.started;
    const metrics = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
    const events = await w.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: w.namespace });
    const objects = await w.appcopies.list(w.namespace);
    const captured: Record<string, string> = {
      'operator output': operator.output(),
      events: JSON.stringify(events.items),
      'AppCopies (spec and status)': JSON.stringify(objects),
      metrics,
      ledger: JSON.stringify(w.sim.ledger.toJSON()),
    };

    // The tokens were really used (the console saw each one that can be sent)...
    const seen = new Set(w.sim.ledger.calls.map((c) => c.tokenFingerprint));
    for (const token of [DEFAULT, UNKNOWN, EXPIRED, NOT_A_MEMBER])
      expect(seen).toContain(tokenFingerprint(token));
    // ...the capture is the real thing (every reconcile, at the most verbose level the operator logs)...
    expect(captured['operator output']).toContain('copy outcome unknown');
    expect(captured['operator output']).toContain('"level":20');
    // ...and no piece of any of them is anywhere.
    for (const [what, text] of Object.entries(captured)) {
      for (const token of [DEFAULT, UNKNOWN, EXPIRED, NOT_A_MEMBER, UNSENDABLE]) {
        const leaked = pieces(token).filter((piece) => text.includes(piece));
        expect(leaked, `${what} holds a piece of a token`).toEqual([]);
      }
    }
    // The console's echo was still reported, with the token cut out.
    expect(captured.events).toContain('[redacted]');
  });
});
