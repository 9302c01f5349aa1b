// The client's side of the protocol on every console release the simulator plays
// (test/support/simulator/releases.ts, docs/compatibility.md): each call the operator makes,
// over real HTTP, read as the operator needs it whatever the release's spelling, error bodies,
// permissions or answer checks. What the controller does with these readings is release-blind
// (test/unit/controller/), so this table and the integration tests in
// test/integration/compatibility/ are what tie the protocol to each release.
import { afterEach, describe, expect, it } from 'vitest';
import { isAnswerCheckRefusal } from '../../../src/controller/copy/own-copies.ts';
import { markerEnv } from '../../../src/controller/copy/record.ts';
import { createRainbondClient, type RainbondClient } from '../../../src/rainbond/client.ts';
import {
  type RainbondError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
} from '../../../src/rainbond/errors.ts';
import type { AppRef } from '../../../src/rainbond/types.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import {
  createFakeClock,
  type FakeClock,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';
import { CONSOLE_RELEASE_IDS, RELEASE_PROFILES } from '../../support/simulator/releases.ts';

const alice = USERS.alice.token;
const shopOnline: AppRef = { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline };
const adminPortal: AppRef = { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.adminPortal };
const staging: AppRef = { teamId: TEAMS.staging.tenantName, regionName: REGION, appId: APPS.shopStaging };
const owner = { namespace: 'team-a', name: 'preview', request: '0123456789abcdef0123456789abcdef' };

let simulator: Simulator | undefined;
let client: RainbondClient | undefined;

afterEach(async () => {
  client?.close();
  await simulator?.stop();
  simulator = undefined;
  client = undefined;
});

async function consoleOf(
  release: (typeof CONSOLE_RELEASE_IDS)[number],
): Promise<{ clock: FakeClock; client: RainbondClient; sim: Simulator }> {
  const clock = createFakeClock();
  simulator = await startSimulator({ clock, release });
  client = createRainbondClient({ baseUrl: simulator.url, copyTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  return { clock, client, sim: simulator };
}

async function failureOf(promise: Promise<unknown>): Promise<RainbondError> {
  try {
    await promise;
  } catch (error) {
    return error as RainbondError;
  }
  throw new Error('expected the call to fail');
}

describe.each(CONSOLE_RELEASE_IDS)('the client against console release %s', (release) => {
  const profile = RELEASE_PROFILES[release];

  it('reads the release the console states, without a token', async () => {
    const c = await consoleOf(release);
    expect(await c.client.readRelease()).toBe(profile.configInfo.releaseDesc);
  });

  it('pre-flights, copies once, lists the copy and reads a failed build from its events, in either spelling', async () => {
    const c = await consoleOf(release);
    const copyable = await c.client.listCopyableComponents(alice, shopOnline);
    expect(copyable.map((x) => x.serviceId)).toContain(COMPONENTS.web.serviceId);
    const [copy] = await c.client.copyApp(alice, shopOnline, {
      services: [{ serviceId: COMPONENTS.web.serviceId, change: { buildSource: { version: 'fail-build' } } }],
      targetTeamName: staging.teamId,
      targetRegionName: staging.regionName,
      targetAppId: staging.appId,
    });
    expect(c.sim.ledger.copies).toHaveLength(1);
    expect((await c.client.listComponents(alice, staging)).map((x) => x.serviceId)).toEqual([
      copy?.serviceId,
    ]);
    await c.clock.advance(60_000);
    const [latest] = await c.client.listComponentEvents(alice, staging, copy?.serviceId ?? '');
    expect(latest).toMatchObject({ optType: 'build-service', status: 'failure', finalStatus: 'complete' });
  });

  it('writes and reads back a marker on a component whose variables all have notes', async () => {
    const c = await consoleOf(release);
    const marker = markerEnv(owner, 'attempt-1');
    await c.client.putComponentEnvs(alice, shopOnline, COMPONENTS.web.serviceId, [marker]);
    const envs = await c.client.putComponentEnvs(alice, shopOnline, COMPONENTS.web.serviceId, []);
    expect(envs).toContainEqual(marker);
  });

  it(`a component with a variable without a note ${profile.envNote.blankAllowed ? 'answers its variables' : 'has its marker written, and its answer refused (400, code 20400)'}`, async () => {
    const c = await consoleOf(release);
    const marker = markerEnv(owner, 'attempt-1');
    const written = c.client.putComponentEnvs(alice, adminPortal, COMPONENTS.admin.serviceId, [marker]);
    if (profile.envNote.blankAllowed) {
      expect(await written).toContainEqual(marker);
      return;
    }
    const refused = await failureOf(written);
    expect(isAnswerCheckRefusal(refused)).toBe(true);
    expect(refused.message).toContain('envs[');
    expect(c.sim.state.component(COMPONENTS.admin.serviceId)?.envs.map((e) => e.name)).toContain(marker.name);
    expect(
      isAnswerCheckRefusal(
        await failureOf(c.client.putComponentEnvs(alice, adminPortal, COMPONENTS.admin.serviceId, [])),
      ),
    ).toBe(true);
  });

  it('a 500 of the copy says what the console said, never its traceback', async () => {
    const c = await consoleOf(release);
    c.sim.faults.add({ route: 'copy', kind: 'error-before-effect', status: 500 });
    const failed = await failureOf(
      c.client.copyApp(alice, shopOnline, {
        services: [{ serviceId: COMPONENTS.web.serviceId }],
        targetTeamName: staging.teamId,
        targetRegionName: staging.regionName,
        targetAppId: staging.appId,
      }),
    );
    expect(failed).toBeInstanceOf(RainbondOutcomeUnknownError);
    // Before 6.1.1 msg is empty and msg_show a fixed text; from 6.1.1 msg is str(exception).
    const said =
      profile.errorBodies.detail === 'plain' ? '服务端异常' : 'simulated fault: error-before-effect';
    expect(failed.message).toContain(`(HTTP 500): ${said};`);
    expect(failed.message).not.toContain('Traceback');
  });

  it(`a forced delete ${profile.routePermissions.required === null ? 'is allowed to any member' : 'by a member without permission 400004 is refused, naming it'}`, async () => {
    const c = await consoleOf(release);
    const shopPreview: AppRef = {
      teamId: TEAMS.shop.tenantName,
      regionName: REGION,
      appId: APPS.shopPreview,
    };
    const [copy] = await c.client.copyApp(alice, shopOnline, {
      services: [{ serviceId: COMPONENTS.web.serviceId }],
      targetTeamName: shopPreview.teamId,
      targetRegionName: shopPreview.regionName,
      targetAppId: shopPreview.appId,
    });
    const deleting = c.client.deleteComponent(USERS.bob.token, shopPreview, copy?.serviceId ?? '');
    if (profile.routePermissions.required === null) {
      // Deleted; the console answers 409 or 200 after the effect depending on the copy's state.
      await deleting.catch((error: unknown) => {
        expect(error).toBeInstanceOf(RainbondRejectedError);
      });
      expect(c.sim.state.component(copy?.serviceId ?? '')).toBeUndefined();
      return;
    }
    const refused = await failureOf(deleting);
    expect(refused).toBeInstanceOf(RainbondUnauthorizedError);
    expect((refused as RainbondUnauthorizedError).permission).toBe(true);
    expect(refused.message).toContain('permission 400004 (component: delete, 删除)');
    expect(c.sim.state.component(copy?.serviceId ?? '')).toBeDefined();
  });
});
