// Each client function against the Rainbond console simulator (test/support/simulator), whose
// ledger says what really happened in the console: the error class the client chose must agree
// with it (NotSent and Rejected never hide an effect; an effect the client cannot see is
// OutcomeUnknown, never NotSent).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRainbondClient,
  type RainbondClient,
  type ResponseEvent,
} from '../../../src/rainbond/client.ts';
import {
  type RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
} from '../../../src/rainbond/errors.ts';
import type { AppRef, CopyRequest } from '../../../src/rainbond/types.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import {
  createFakeClock,
  type FakeClock,
  type FaultSpec,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';

const alice = USERS.alice.token;
const shopOnline: AppRef = { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline };
const shopStaging: AppRef = { teamId: TEAMS.staging.tenantName, regionName: REGION, appId: APPS.shopStaging };
const legacyTools: AppRef = { teamId: TEAMS.shop.tenantId, regionName: REGION, appId: APPS.legacyTools };

function copyInto(target: AppRef, services: CopyRequest['services']): CopyRequest {
  return {
    services,
    targetTeamName: target.teamId,
    targetRegionName: target.regionName,
    targetAppId: target.appId,
  };
}

const copyWeb = copyInto(shopStaging, [
  {
    serviceId: COMPONENTS.web.serviceId,
    change: { buildSource: { version: '1.27' }, envs: { API_URL: 'BACKEND_URL' } },
  },
]);

let simulator: Simulator;
let clock: FakeClock;
let client: RainbondClient;
let events: ResponseEvent[];

/** A client of the simulator, with its events recorded. */
function createClient(options: { copyTimeoutMs?: number; maxResponseBytes?: number } = {}): RainbondClient {
  return createRainbondClient({
    baseUrl: simulator.url,
    copyTimeoutMs: options.copyTimeoutMs ?? 10_000,
    requestTimeoutMs: 10_000,
    onResponse: (event) => events.push(event),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
}

/** Replaces the test's client with one made with other options. */
function reconnect(options: { copyTimeoutMs?: number; maxResponseBytes?: number }): RainbondClient {
  client.close();
  client = createClient(options);
  return client;
}

beforeEach(async () => {
  clock = createFakeClock();
  simulator = await startSimulator({ clock });
  events = [];
  client = createClient();
});

afterEach(async () => {
  client.close();
  await simulator.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<RainbondError> {
  try {
    await promise;
  } catch (error) {
    return error as RainbondError;
  }
  throw new Error('expected the call to fail');
}

describe('the client against the simulator', () => {
  it('pre-flights the source app: its copyable components with versions and memory as numbers', async () => {
    const components = await client.listCopyableComponents(alice, shopOnline);
    expect(components.map((c) => c.serviceId)).toEqual([
      COMPONENTS.web.serviceId,
      COMPONENTS.api.serviceId,
      COMPONENTS.worker.serviceId,
    ]);
    for (const c of components) {
      expect(c.createStatus).toBe('complete');
      expect(typeof c.minMemory).toBe('number');
    }
    expect(components.find((c) => c.serviceId === COMPONENTS.api.serviceId)?.buildVersion).toBe('main');
    expect(events).toEqual([{ route: 'copyPreflight', outcome: 'success', durationMs: expect.any(Number) }]);
  });

  it('copies once, and what the copy answered is what the target app lists and what the ledger recorded', async () => {
    const created = await client.copyApp(alice, shopOnline, copyWeb);
    expect(created).toHaveLength(1);
    const [copy] = created;
    expect(copy?.serviceCname).toBe('web-copy');
    expect(copy?.serviceAlias).toBe(`gr${copy?.serviceId.slice(-6)}`);
    expect(copy?.k8sComponentName).toBe('web');

    expect(simulator.ledger.copies).toHaveLength(1);
    expect(simulator.ledger.copies[0]?.createdServiceIds).toEqual([copy?.serviceId]);

    const listed = await client.listComponents(alice, shopStaging);
    expect(listed.map((c) => c.serviceId)).toEqual([copy?.serviceId]);
    const read = await client.getComponent(alice, shopStaging, copy?.serviceId ?? '');
    expect(read).toMatchObject({
      serviceId: copy?.serviceId,
      serviceCname: 'web-copy',
      k8sComponentName: 'web',
    });
  });

  it('copies every component when no services are named', async () => {
    const created = await client.copyApp(alice, shopOnline, copyInto(shopStaging, []));
    expect(created.map((c) => c.serviceCname).sort()).toEqual(['api-copy', 'web-copy', 'worker-copy']);
  });

  it('a forced delete of a running copy deletes it, then answers 409 after the effect', async () => {
    const [copy] = await client.copyApp(alice, shopOnline, copyWeb);
    const id = copy?.serviceId ?? '';
    await clock.advance(60_000);
    expect((await client.getComponent(alice, shopStaging, id)).status).toBe('running');

    const answered = await failureOf(client.deleteComponent(alice, shopStaging, id));
    expect(answered).toBeInstanceOf(RainbondRejectedError);
    expect(answered.httpStatus).toBe(409);

    expect(await client.listComponents(alice, shopStaging)).toEqual([]);
    const gone = await failureOf(client.deleteComponent(alice, shopStaging, id));
    expect(gone).toBeInstanceOf(RainbondRejectedError);
    expect(gone.httpStatus).toBe(404);
    expect(simulator.ledger.callsTo('deleteComponent').map((c) => c.path)).toEqual([
      `/openapi/v1/teams/${TEAMS.staging.tenantName}/regions/${REGION}/apps/${APPS.shopStaging}/services/${id}?force=1`,
      `/openapi/v1/teams/${TEAMS.staging.tenantName}/regions/${REGION}/apps/${APPS.shopStaging}/services/${id}?force=1`,
    ]);
  });

  it('a stop by a viewer is a permission refusal (403, code 10402), not a token problem', async () => {
    const [copy] = await client.copyApp(USERS.dave.token, shopOnline, copyWeb);
    const refused = await failureOf(
      client.operateComponents(USERS.dave.token, shopStaging, 'stop', [copy?.serviceId ?? '']),
    );
    expect(refused).toBeInstanceOf(RainbondUnauthorizedError);
    expect((refused as RainbondUnauthorizedError).permission).toBe(true);
    expect(refused.message).toContain('lacks the team permission');
  });

  it("reads a failed build from the component's events", async () => {
    const [copy] = await client.copyApp(alice, shopOnline, {
      ...copyWeb,
      services: [{ serviceId: COMPONENTS.web.serviceId, change: { buildSource: { version: 'fail-build' } } }],
    });
    const id = copy?.serviceId ?? '';
    await clock.advance(60_000);
    expect((await client.getComponent(alice, shopStaging, id)).status).toBe('undeploy');
    const [latest] = await client.listComponentEvents(alice, shopStaging, id);
    expect(latest).toMatchObject({ optType: 'build-service', status: 'failure', finalStatus: 'complete' });
  });

  it('an expired token is unauthorized and nothing is copied', async () => {
    const error = await failureOf(client.copyApp(USERS.carol.token, shopOnline, copyWeb));
    expect(error).toBeInstanceOf(RainbondUnauthorizedError);
    expect(error.httpStatus).toBe(401);
    expect(simulator.ledger.copies).toHaveLength(0);
  });

  it.each<{ name: string; token: string; source: AppRef; request: CopyRequest; status: number }>([
    {
      name: 'a copy into a team the token user is not a member of is rejected',
      token: USERS.bob.token,
      source: shopOnline,
      request: copyWeb,
      status: 404,
    },
    {
      name: 'a copy into an app that does not exist is rejected',
      token: alice,
      source: shopOnline,
      request: copyInto({ ...shopStaging, appId: 999 }, []),
      status: 404,
    },
    {
      name: 'a copy of a package_build component is rejected',
      token: alice,
      source: legacyTools,
      request: copyInto(shopStaging, [{ serviceId: COMPONENTS.reportUploader.serviceId }]),
      status: 400,
    },
  ])('$name, with the console message, and nothing is copied', async ({ token, source, request, status }) => {
    const error = await failureOf(client.copyApp(token, source, request));
    expect(error).toBeInstanceOf(RainbondRejectedError);
    expect(error.httpStatus).toBe(status);
    expect((error as RainbondRejectedError).consoleMessage).toBeTruthy();
    expect(error.message).toContain(`(HTTP ${status}): `);
    expect(simulator.ledger.copies).toHaveLength(0);
  });

  it('a port where the simulator no longer listens is not sent', async () => {
    const url = simulator.url;
    await simulator.stop();
    const stopped = createRainbondClient({ baseUrl: url, copyTimeoutMs: 1_000, requestTimeoutMs: 1_000 });
    const error = await failureOf(stopped.copyApp(alice, shopOnline, copyWeb));
    stopped.close();
    expect(error).toBeInstanceOf(RainbondNotSentError);
  });
});

describe('the client against injected faults on the copy', () => {
  interface Case {
    name: string;
    fault: FaultSpec;
    expected: abstract new (...args: never[]) => RainbondError;
    copiesInLedger: number;
    httpStatus?: number;
    options?: { copyTimeoutMs?: number; maxResponseBytes?: number };
  }
  const cases: Case[] = [
    {
      name: 'a 500 after the copy took effect is an unknown outcome',
      fault: { route: 'copy', kind: 'error-after-effect', status: 500 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 500,
    },
    {
      name: 'a 503 before anything happened is still an unknown outcome: the client cannot tell',
      fault: { route: 'copy', kind: 'error-before-effect', status: 503 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 0,
      httpStatus: 503,
    },
    {
      name: 'a 409 before anything happened is a rejection',
      fault: { route: 'copy', kind: 'error-before-effect', status: 409 },
      expected: RainbondRejectedError,
      copiesInLedger: 0,
      httpStatus: 409,
    },
    {
      name: 'a reset after the copy took effect is an unknown outcome',
      fault: { route: 'copy', kind: 'reset-after-effect' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
    },
    {
      name: 'a reset before the copy took effect is an unknown outcome too, never "not sent"',
      fault: { route: 'copy', kind: 'reset-before-effect' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 0,
    },
    {
      name: 'no answer after the copy took effect is an unknown outcome once the copy timeout expires',
      fault: { route: 'copy', kind: 'timeout-after-effect' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      options: { copyTimeoutMs: 300 },
    },
    {
      name: 'a part-way copy answered with a 500 is an unknown outcome',
      fault: { route: 'copy', kind: 'partial-effect-unknown-version', created: 1 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 500,
    },
    {
      name: 'a truncated 200 is an unknown outcome',
      fault: { route: 'copy', kind: 'truncated' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 200,
    },
    {
      name: 'a 200 cut off mid-body by a dropped connection is an unknown outcome',
      fault: { route: 'copy', kind: 'truncated', mode: 'abort' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
    },
    {
      name: 'an HTML page with 200 is an unknown outcome',
      fault: { route: 'copy', kind: 'non-json', status: 200 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 200,
    },
    {
      name: 'an empty 200 is an unknown outcome',
      fault: { route: 'copy', kind: 'empty-body', status: 200 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 200,
    },
    {
      name: 'a 200 with every value of the wrong type is an unknown outcome',
      fault: { route: 'copy', kind: 'wrong-types' },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 200,
    },
    {
      name: 'a body larger than the limit is an unknown outcome, read no further than the limit',
      fault: { route: 'copy', kind: 'huge-body', bytes: 4 * 1024 * 1024 },
      expected: RainbondOutcomeUnknownError,
      copiesInLedger: 1,
      httpStatus: 200,
      options: { maxResponseBytes: 256 * 1024 },
    },
  ];

  it.each(cases)('$name', async (c) => {
    simulator.faults.add(c.fault);
    const faulty = reconnect(c.options ?? {});
    const error = await failureOf(faulty.copyApp(alice, shopOnline, copyWeb));
    expect(error).toBeInstanceOf(c.expected);
    expect(error.route).toBe('copy');
    if (c.httpStatus !== undefined) expect(error.httpStatus).toBe(c.httpStatus);
    expect(error.message).not.toContain(alice);
    expect(simulator.ledger.copies).toHaveLength(c.copiesInLedger);
    expect(simulator.ledger.callsTo('copy')).toHaveLength(1);
  });

  it('latency alone delays the copy but it still succeeds once', async () => {
    simulator.faults.add({ route: 'copy', kind: 'latency', ms: 100 });
    await expect(client.copyApp(alice, shopOnline, copyWeb)).resolves.toHaveLength(1);
    expect(simulator.ledger.copies).toHaveLength(1);
  });
});

describe('the client against injected faults on the other calls', () => {
  it('an empty 200 on delete is the delete succeeding, since that is its normal answer', async () => {
    const [copy] = await client.copyApp(alice, shopOnline, copyWeb);
    await client.operateComponents(alice, shopStaging, 'stop', [copy?.serviceId ?? '']);
    simulator.faults.add({ route: 'deleteComponent', kind: 'empty-body', status: 200 });
    await expect(client.deleteComponent(alice, shopStaging, copy?.serviceId ?? '')).resolves.toBeUndefined();
  });

  it('a reset after a stop took effect is an unknown outcome of the operation', async () => {
    const [copy] = await client.copyApp(alice, shopOnline, copyWeb);
    simulator.faults.add({ route: 'operations', kind: 'reset-after-effect' });
    const error = await failureOf(
      client.operateComponents(alice, shopStaging, 'stop', [copy?.serviceId ?? '']),
    );
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.route).toBe('operateComponents');
  });

  it('a component list with wrong types is an unknown outcome, not a list of garbage', async () => {
    await client.copyApp(alice, shopOnline, copyWeb);
    simulator.faults.add({ route: 'listComponents', kind: 'wrong-types' });
    const error = await failureOf(client.listComponents(alice, shopStaging));
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.httpStatus).toBe(200);
  });
});
