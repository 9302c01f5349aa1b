// Fault injection. rainbond-openapi.md, "Consequences for the operator": a copy whose outcome
// is unknown (timeout, reset after sending, 5xx) may have created components. Each fault kind
// is checked for what the client sees and for what the ledger says really happened.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS } from '../../support/simulator/fixtures/default.ts';
import {
  type FaultKind,
  type FaultSpec,
  FaultSpecError,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';
import { call, copyBody, paths, type RawOutcome, rawCall } from './console-client.ts';

type CopyFault = FaultSpec extends infer F
  ? F extends { route: unknown }
    ? Omit<F, 'route'>
    : never
  : never;

interface FaultCase {
  name: string;
  fault: CopyFault;
  timeoutMs?: number;
  /** What the client sees. */
  sees: (o: RawOutcome) => void;
  tookEffect: boolean;
  /** Components in the target app afterwards. */
  created: number;
  /** Status in the ledger; null = no response was sent. */
  ledgerStatus: number | null;
}

const response = (o: RawOutcome) => {
  if (o.kind !== 'response') throw new Error(`expected a response, got error ${o.code}`);
  return o;
};
const error = (o: RawOutcome) => {
  if (o.kind !== 'error') throw new Error(`expected a transport error, got HTTP ${o.status}`);
  return o;
};

const cases: FaultCase[] = [
  {
    name: 'latency delays the answer by the given time; the copy happens normally.',
    fault: { kind: 'latency', ms: 150 },
    sees: (o) => {
      expect(response(o).status).toBe(200);
      expect(o.ms).toBeGreaterThanOrEqual(140);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'error-before-effect answers a 5xx envelope and nothing is copied.',
    fault: { kind: 'error-before-effect', status: 503 },
    sees: (o) => {
      expect(response(o).status).toBe(503);
      expect(JSON.parse(response(o).body)).toMatchObject({
        code: 503,
        msg: 'simulated fault: error-before-effect',
      });
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 503,
  },
  {
    name: 'error-before-effect without status or body is the console 500 (code 10401, traceback in msg_show); nothing copied.',
    fault: { kind: 'error-before-effect' },
    sees: (o) => {
      expect(response(o).status).toBe(500);
      const body = JSON.parse(response(o).body);
      expect(body).toMatchObject({
        code: 10401,
        msg: 'simulated fault: error-before-effect',
        error_type: 'Exception',
      });
      expect(body.msg_show).toMatch(/^Traceback \(most recent call last\):/);
      expect(body.error_trace).toBe(body.msg_show);
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 500,
  },
  {
    name: 'back-pressure answers 409 "wait a moment please" and nothing is copied.',
    fault: { kind: 'back-pressure' },
    sees: (o) => {
      expect(response(o).status).toBe(409);
      expect(JSON.parse(response(o).body)).toEqual({
        code: 409,
        msg: 'wait a moment please',
        msg_show: '操作过于频繁，请稍后再试',
      });
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 409,
  },
  {
    name: 'insufficient-resources answers 412 code 10406 and nothing is copied.',
    fault: { kind: 'insufficient-resources' },
    sees: (o) => {
      expect(response(o).status).toBe(412);
      expect(JSON.parse(response(o).body)).toEqual({
        code: 10406,
        msg: 'cluster lack of memory',
        msg_show: '集群可用资源不足，请联系集群管理员',
        data: { bean: {}, list: [] },
      });
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 412,
  },
  {
    name: 'invalid-license answers 401 code 10400 (no WWW-Authenticate: not a token problem) and nothing is copied.',
    fault: { kind: 'invalid-license' },
    sees: (o) => {
      expect(response(o).status).toBe(401);
      expect(response(o).headers['www-authenticate']).toBeUndefined();
      expect(JSON.parse(response(o).body)).toEqual({
        code: 10400,
        msg: 'invalid license',
        msg_show: 'license不正确或已过期',
      });
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 401,
  },
  {
    name: 'error-after-effect without status is the console 500 although the copy took effect.',
    fault: { kind: 'error-after-effect' },
    sees: (o) => {
      expect(response(o).status).toBe(500);
      expect(JSON.parse(response(o).body)).toMatchObject({ code: 10401, error_type: 'Exception' });
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 500,
  },
  {
    name: 'error-after-effect answers a 5xx although the copy took effect.',
    fault: { kind: 'error-after-effect', status: 502 },
    sees: (o) => expect(response(o).status).toBe(502),
    tookEffect: true,
    created: 3,
    ledgerStatus: 502,
  },
  {
    name: 'timeout-after-effect never answers: the client gives up, the copy took effect.',
    fault: { kind: 'timeout-after-effect' },
    timeoutMs: 200,
    sees: (o) => {
      expect(error(o).code).toBe('TIMEOUT');
      expect(o.ms).toBeGreaterThanOrEqual(190);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: null,
  },
  {
    name: 'reset-before-effect resets the connection and nothing is copied.',
    fault: { kind: 'reset-before-effect' },
    sees: (o) => expect(error(o).code).toBe('ECONNRESET'),
    tookEffect: false,
    created: 0,
    ledgerStatus: null,
  },
  {
    name: 'reset-after-effect resets the connection although the copy took effect.',
    fault: { kind: 'reset-after-effect' },
    sees: (o) => expect(error(o).code).toBe('ECONNRESET'),
    tookEffect: true,
    created: 3,
    ledgerStatus: null,
  },
  {
    name: 'partial-effect-unknown-version creates only the first k components, then answers 500.',
    fault: { kind: 'partial-effect-unknown-version', created: 1 },
    sees: (o) => {
      expect(response(o).status).toBe(500);
      expect(JSON.parse(response(o).body)).toMatchObject({ code: 10401, error_type: 'ReadTimeoutError' });
    },
    tookEffect: true,
    created: 1,
    ledgerStatus: 500,
  },
  {
    name: 'non-json answers an nginx HTML page with the status, after the copy took effect.',
    fault: { kind: 'non-json', status: 502 },
    sees: (o) => {
      expect(response(o).status).toBe(502);
      expect(response(o).headers['content-type']).toBe('text/html');
      expect(response(o).body).toContain('<h1>502 Bad Gateway</h1>');
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 502,
  },
  {
    name: 'non-json with status 200 before the effect answers the web UI page and copies nothing.',
    fault: { kind: 'non-json', status: 200, effect: 'before' },
    sees: (o) => {
      expect(response(o).status).toBe(200);
      expect(response(o).body).toMatch(/^<!DOCTYPE html>/);
    },
    tookEffect: false,
    created: 0,
    ledgerStatus: 200,
  },
  {
    name: 'truncated answers 200 with a valid start of JSON that never closes.',
    fault: { kind: 'truncated' },
    sees: (o) => {
      const { status, body } = response(o);
      expect(status).toBe(200);
      expect(body.startsWith('{"services":[{"status":""')).toBe(true);
      expect(() => JSON.parse(body)).toThrow(SyntaxError);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'truncated in abort mode announces the full length, sends half and drops the connection.',
    fault: { kind: 'truncated', mode: 'abort' },
    sees: (o) => {
      expect(['ABORTED', 'ECONNRESET']).toContain(error(o).code);
      expect(o.status).toBe(200);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'empty-body answers 200 with zero bytes after the copy took effect.',
    fault: { kind: 'empty-body' },
    sees: (o) => {
      expect(response(o).status).toBe(200);
      expect(response(o).body).toBe('');
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'empty-body before the effect answers the status with zero bytes and copies nothing.',
    fault: { kind: 'empty-body', status: 504, effect: 'before' },
    sees: (o) => expect([response(o).status, response(o).body]).toEqual([504, '']),
    tookEffect: false,
    created: 0,
    ledgerStatus: 504,
  },
  {
    name: 'huge-body answers valid JSON padded to the given size with an unknown field.',
    fault: { kind: 'huge-body', bytes: 2_000_000 },
    sees: (o) => {
      const { body } = response(o);
      expect(body.length).toBeGreaterThanOrEqual(2_000_000);
      expect((JSON.parse(body) as { services: unknown[] }).services).toHaveLength(3);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'slow-drip sends the whole body in small chunks spread over time.',
    fault: { kind: 'slow-drip', chunkBytes: 1024, intervalMs: 40 },
    sees: (o) => {
      const { body } = response(o);
      expect((JSON.parse(body) as { services: unknown[] }).services).toHaveLength(3);
      const chunks = Math.ceil(Buffer.byteLength(body) / 1024);
      expect(o.ms).toBeGreaterThanOrEqual((chunks - 1) * 40 - 10);
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
  {
    name: 'wrong-types answers JSON whose values all have the wrong type.',
    fault: { kind: 'wrong-types' },
    sees: (o) => {
      const body = JSON.parse(response(o).body) as {
        services: Record<string, { service_id: unknown; min_memory: unknown }>;
      };
      expect(Array.isArray(body.services)).toBe(false);
      expect(body.services['0']!.service_id).toBe(32);
      expect(body.services['0']!.min_memory).toBe('256');
    },
    tookEffect: true,
    created: 3,
    ledgerStatus: 200,
  },
];

describe('fault kinds on the copy', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.stop());

  for (const c of cases) {
    it(c.name, async () => {
      sim.faults.add({ route: 'copy', ...c.fault } as FaultSpec);
      const outcome = await rawCall(sim, 'POST', paths.copy(APPS.shopOnline), {
        body: copyBody(),
        ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
      });
      c.sees(outcome);
      // The ledger tells what really happened, whatever the client saw.
      expect(sim.ledger.calls).toMatchObject([
        { route: 'copy', fault: c.fault.kind as FaultKind, tookEffect: c.tookEffect, status: c.ledgerStatus },
      ]);
      expect(sim.state.componentsOf(APPS.shopStaging)).toHaveLength(c.created);
      expect(sim.ledger.copiesInto(APPS.shopStaging)).toHaveLength(c.created > 0 ? 1 : 0);
      expect(sim.ledger.componentsCreatedIn(APPS.shopStaging)).toHaveLength(c.created);
    });
  }

  it('partial-effect records a partial copy with the components it did create.', async () => {
    sim.faults.add({ route: 'copy', kind: 'partial-effect-unknown-version', created: 2 });
    await rawCall(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    const [copy] = sim.ledger.copies;
    expect(copy).toMatchObject({ partial: true, targetAppId: APPS.shopStaging });
    expect(copy!.sourceServiceIds).toHaveLength(3);
    expect(copy!.createdServiceIds).toEqual(
      sim.state.componentsOf(APPS.shopStaging).map((c) => c.service_id),
    );
  });
});

describe('fault scheduling', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ faultSeed: 7 });
  });
  afterEach(() => sim.stop());

  const preflight = () => call(sim, 'GET', paths.copy(APPS.shopOnline));

  it('A fault with `times: 1` hits the next matching call only, then is gone.', async () => {
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', status: 500, times: 1 });
    expect((await preflight()).status).toBe(500);
    expect((await preflight()).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
  });

  it('A fault without `times` hits every matching call.', async () => {
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', status: 503 });
    expect([(await preflight()).status, (await preflight()).status]).toEqual([503, 503]);
    expect(sim.faults.list()[0]!.hits).toBe(2);
  });

  it('A fault applies to its route only.', async () => {
    sim.faults.add({ route: 'copy', kind: 'error-before-effect', status: 500 });
    expect((await preflight()).status).toBe(200);
    expect((await call(sim, 'GET', paths.apps())).status).toBe(200);
  });

  it('Probability 0 never fires and probability 1 always does.', async () => {
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', probability: 0 });
    expect((await preflight()).status).toBe(200);
    sim.faults.clear();
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', probability: 1 });
    expect((await preflight()).status).toBe(500);
  });

  it('The same seed replays the same probabilistic hits, call for call.', async () => {
    const pattern = async (s: Simulator) => {
      s.faults.add({ route: 'listApps', kind: 'error-before-effect', probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await call(s, 'GET', paths.apps())).status);
      return statuses;
    };
    const other = await startSimulator({ faultSeed: 7 });
    try {
      const a = await pattern(sim);
      const b = await pattern(other);
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
      sim.faults.clear();
      sim.faults.reseed(7);
      expect(await pattern(sim)).toEqual(a);
    } finally {
      await other.stop();
    }
  });

  it('Latency composes with an outcome fault on the same route.', async () => {
    sim.faults.add({ route: 'copyPreflight', kind: 'latency', ms: 100 });
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', status: 502 });
    const outcome = await rawCall(sim, 'GET', paths.copy(APPS.shopOnline));
    expect(outcome).toMatchObject({ kind: 'response', status: 502 });
    expect(outcome.ms).toBeGreaterThanOrEqual(90);
  });

  it('The first outcome fault added wins when two match.', async () => {
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', status: 502 });
    sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect', status: 504 });
    expect((await preflight()).status).toBe(502);
    expect(sim.faults.list().map((f) => f.hits)).toEqual([1, 0]);
  });

  it('An error-before-effect may carry a console body, like the 409 "wait a moment please" back-pressure.', async () => {
    const body = { code: 409, msg: 'wait a moment please', msg_show: '操作过于频繁，请稍后再试' };
    sim.faults.add({ route: 'copy', kind: 'error-before-effect', status: 409, body, times: 1 });
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    expect([reply.status, reply.json]).toEqual([409, body]);
  });

  it('remove() and clear() take faults away.', async () => {
    const id = sim.faults.add({ route: 'copyPreflight', kind: 'error-before-effect' });
    sim.faults.add({ route: 'listApps', kind: 'error-before-effect' });
    expect(sim.faults.remove(id)).toBe(true);
    expect(sim.faults.remove(id)).toBe(false);
    expect((await preflight()).status).toBe(200);
    sim.faults.clear();
    expect((await call(sim, 'GET', paths.apps())).status).toBe(200);
  });

  const invalid: [string, unknown, string][] = [
    ['An unknown kind is refused.', { route: 'copy', kind: 'meteor' }, 'kind'],
    ['An unknown route is refused.', { route: 'copyy', kind: 'latency', ms: 1 }, 'route'],
    [
      'partial-effect outside the copy is refused.',
      { route: 'listApps', kind: 'partial-effect-unknown-version' },
      'only applies to the copy',
    ],
    ['A 2xx error status is refused.', { route: 'copy', kind: 'error-after-effect', status: 200 }, 'status'],
    [
      'A probability above 1 is refused.',
      { route: 'copy', kind: 'latency', ms: 1, probability: 2 },
      'probability',
    ],
    ['An unknown option is refused.', { route: 'copy', kind: 'latency', ms: 1, msec: 3 }, 'msec'],
  ];
  for (const [name, spec, mentions] of invalid) {
    it(name, () => {
      expect(() => sim.faults.add(spec as FaultSpec)).toThrow(FaultSpecError);
      expect(() => sim.faults.add(spec as FaultSpec)).toThrow(mentions);
    });
  }
});

describe('faults on other routes', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.stop());
  const deletePath = `${paths.service(APPS.shopOnline, COMPONENTS.worker.serviceId)}?force=1`;

  it('error-before-effect on delete leaves the component in place.', async () => {
    sim.faults.add({ route: 'deleteComponent', kind: 'error-before-effect', status: 500 });
    expect((await call(sim, 'DELETE', deletePath)).status).toBe(500);
    expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeDefined();
  });

  it('error-after-effect on delete removes the component but answers 500.', async () => {
    sim.faults.add({ route: 'deleteComponent', kind: 'error-after-effect', status: 500 });
    expect((await call(sim, 'DELETE', deletePath)).status).toBe(500);
    expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeUndefined();
    expect(sim.ledger.calls[0]).toMatchObject({ tookEffect: true, status: 500 });
  });

  it('reset-after-effect on operations starts stopping the component and resets the connection.', async () => {
    sim.faults.add({ route: 'operations', kind: 'reset-after-effect' });
    const outcome = await rawCall(sim, 'POST', paths.operations(APPS.shopOnline), {
      body: { action: 'stop', service_ids: [COMPONENTS.web.serviceId] },
    });
    expect(outcome).toMatchObject({ kind: 'error', code: 'ECONNRESET' });
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('stopping');
  });

  it('wrong-types on the components list turns the array into an object.', async () => {
    sim.faults.add({ route: 'listComponents', kind: 'wrong-types' });
    const reply = await call(sim, 'GET', paths.services(APPS.shopOnline));
    expect(reply.json).toMatchObject({ '0': { service_cname: 3, min_memory: '256', status: 7 } });
  });

  it('stop() closes a connection a timeout fault keeps hanging, so the client sees it end.', async () => {
    sim.faults.add({ route: 'listApps', kind: 'timeout-after-effect' });
    const pending = rawCall(sim, 'GET', paths.apps());
    await new Promise((r) => setTimeout(r, 50));
    await sim.stop();
    expect(await pending).toMatchObject({ kind: 'error', code: 'ECONNRESET' });
  });
});
