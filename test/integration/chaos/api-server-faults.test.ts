// Answers from the API server that never come: a request reaches the API server and takes
// effect, and its answer is lost on a connection that stays open and silent. The operator must
// give up on it and carry on (re-read, verify), not wait on it, so the AppCopy still settles
// within a minute and is copied exactly once.
import { describe, expect, it, onTestFinished } from 'vitest';
import { appCopies, condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { startOperatorProcess } from '../../support/operator-process.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { startAnswerDroppingProxy } from './answer-dropping-proxy.ts';

describe('an answer of the API server that never comes', () => {
  it.each([
    ['the read that starts a reconcile', 'GET', ''],
    ['the intent written before the copy', 'PUT', '/status'],
  ] as const)(
    'to %s: the AppCopy still settles within a minute, copied once',
    async (_what, method, suffix) => {
      const w = await createWorld();
      const proxy = await startAnswerDroppingProxy(w.kc);
      onTestFinished(() => proxy.close());
      const path = `/apis/openapi.rainbond.io/v1alpha1/namespaces/${w.namespace}/appcopies/lost${suffix}`;
      const swallowed = proxy.swallowNext((m, p) => m === method && p.split('?')[0] === path);
      const operator = startOperatorProcess({
        kubeconfigPath: proxy.kubeconfigPath,
        rainbondUrl: w.sim.url,
        env: {
          WATCH_NAMESPACES: w.namespace,
          RAINBOND_TOKEN: USERS.alice.token,
          RAINBOND_COPY_TIMEOUT: '2s',
          VERIFY_SETTLE_PERIOD: '3s',
        },
      });
      onTestFinished(() => operator.kill());
      await operator.started;

      await w.appcopies.create(w.namespace, 'lost', w.spec());
      await swallowed;
      const done = await appCopies(w.kc).waitFor(w.namespace, 'lost', isPhase('Succeeded'), 60_000);
      expect(condition(done, 'Ready')?.status).toBe('True');
      expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
      expect(operator.child.exitCode).toBeNull();
    },
  );
});
