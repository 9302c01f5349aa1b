// TLS towards the console, with the operator as its own process behind an HTTPS front: it
// verifies certificates by default (even when NODE_TLS_REJECT_UNAUTHORIZED=0 is in its
// environment), a certificate it cannot trust or that names another host stops it before
// anything is sent with a condition saying what to set, and RAINBOND_CA_FILE makes a private
// CA's console reachable.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { type Certificates, type KeyPair, makeCertificates, startHttpsFront } from './https-front.ts';

let certs: Certificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs?.remove());

async function behindHttps(pair: () => KeyPair, env: Record<string, string>) {
  const w = await createWorld();
  const front = await startHttpsFront(pair(), w.sim.url);
  onTestFinished(() => front.close());
  const operator = await w.operator({ RAINBOND_URL: front.url, ...env });
  await w.appcopies.create(w.namespace, 'tls', w.spec());
  return { w, front, operator };
}

describe('TLS towards the console', () => {
  it.each([
    ['a self-signed certificate', () => certs.selfSigned, {}],
    ['a certificate of an unknown CA', () => certs.leaf, {}],
    [
      'a self-signed certificate, even with NODE_TLS_REJECT_UNAUTHORIZED=0',
      () => certs.selfSigned,
      { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
    ],
  ] as const)(
    'refuses %s: nothing sent, and the condition says to set RAINBOND_CA_FILE',
    async (_name, pair, env) => {
      const { w, front, operator } = await behindHttps(pair, env);
      const stuck = await w.appcopies.waitFor(
        w.namespace,
        'tls',
        (o) => condition(o, 'Ready')?.reason === 'ConsoleUnavailable',
      );
      expect(stuck.status?.phase).toBe('Pending');
      const message = condition(stuck, 'Ready')?.message ?? '';
      expect(message).toContain('certificate verification failed');
      expect(message).toContain('RAINBOND_CA_FILE');
      expect(message).toContain('nothing was sent');
      // Not one request got through the handshake.
      expect(front.relayed).toBe(0);
      expect(w.sim.ledger.calls).toHaveLength(0);
      expect(operator.child.exitCode).toBeNull();
    },
  );

  it('refuses a certificate of the trusted CA that names another host, and says so', async () => {
    const { w, front } = await behindHttps(() => certs.otherHost, { RAINBOND_CA_FILE: certs.caFile });
    const stuck = await w.appcopies.waitFor(
      w.namespace,
      'tls',
      (o) => condition(o, 'Ready')?.reason === 'ConsoleUnavailable',
    );
    expect(condition(stuck, 'Ready')?.message).toContain('the certificate does not name this host');
    expect(front.relayed).toBe(0);
    expect(w.sim.ledger.calls).toHaveLength(0);
  });

  it('copies through a console whose certificate is signed by the CA in RAINBOND_CA_FILE', async () => {
    const { w, front } = await behindHttps(() => certs.leaf, { RAINBOND_CA_FILE: certs.caFile });
    await w.appcopies.waitFor(w.namespace, 'tls', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(front.relayed).toBeGreaterThan(0);
  });
});
