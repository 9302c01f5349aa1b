// rainbond-openapi.md, "Base URL, auth, content": the raw token in Authorization; missing,
// unknown, prefixed or expired tokens get 401 with `WWW-Authenticate: Token` and a
// framework-style body ({detail, code, msg, msg_show}).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, USERS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { loadDefaultFixture } from '../../support/simulator/load-fixture.ts';
import { call, copyBody, paths } from './console-client.ts';

describe('authentication', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());

  const rejected: { name: string; token: string | null; detail: string }[] = [
    // "A missing ... token: HTTP 401"
    {
      name: 'A request without an Authorization header is rejected with 401 "No token".',
      token: null,
      detail: 'No token',
    },
    // "the raw token, no `Bearer ` prefix (a prefix makes the lookup fail)"
    {
      name: 'A token sent with a "Bearer " prefix is not found and gets 401.',
      token: `Bearer ${USERS.alice.token}`,
      detail: 'No such user',
    },
    // "A missing, unknown or expired token: HTTP 401"
    { name: 'An unknown token gets 401 "No such user".', token: 'f'.repeat(40), detail: 'No such user' },
    {
      name: 'An expired token gets 401 even for a member of the team.',
      token: USERS.carol.token,
      detail: 'No such user',
    },
    {
      name: 'The token is compared exactly, so an upper-cased token gets 401.',
      token: USERS.alice.token.toUpperCase(),
      detail: 'No such user',
    },
  ];

  for (const c of rejected) {
    it(c.name, async () => {
      const reply = await call(sim, 'GET', paths.apps(), { token: c.token });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Token');
      expect(reply.json).toMatchObject({ detail: c.detail, code: 401, msg: c.detail, msg_show: c.detail });
    });
  }

  it('A valid raw token passes, and the ledger keeps only its fingerprint.', async () => {
    const reply = await call(sim, 'GET', paths.apps(), { token: USERS.alice.token });
    expect(reply.status).toBe(200);
    const last = sim.ledger.calls.at(-1)!;
    expect(last.tokenFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(sim.ledger)).not.toContain(USERS.alice.token);
  });

  // Auth is check 1 of the copy, and DRF authenticates before any view logic on every route.
  const everyRoute: [string, string][] = [
    ['GET', paths.apps()],
    ['GET', paths.app(APPS.shopOnline)],
    ['GET', paths.copy(APPS.shopOnline)],
    ['POST', paths.copy(APPS.shopOnline)],
    ['GET', paths.services(APPS.shopOnline)],
    ['GET', paths.service(APPS.shopOnline, COMPONENTS.web.serviceId)],
    ['DELETE', `${paths.service(APPS.shopOnline, COMPONENTS.worker.serviceId)}?force=1`],
    ['POST', paths.operations(APPS.shopOnline)],
    ['GET', paths.events(APPS.shopOnline, COMPONENTS.web.serviceId)],
  ];
  for (const [method, path] of everyRoute) {
    it(`${method} ${path.replace(/^\/openapi\/v1/, '')} without a token is rejected with 401 and changes nothing.`, async () => {
      const before = sim.state.components().length;
      const body = method === 'POST' ? { action: 'stop', ...copyBody() } : undefined;
      const reply = await call(sim, method, path, { token: null, body });
      expect(reply.status).toBe(401);
      expect(sim.state.components().length).toBe(before);
      expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
    });
  }

  it('The token is checked before the team: an unknown team with a bad token is a 401, not a 404.', async () => {
    const reply = await call(sim, 'GET', paths.apps('no-such-team'), { token: 'nope' });
    expect(reply.status).toBe(401);
  });

  it('An unknown URL is a 404 even without a token, since URL resolution comes before auth.', async () => {
    const reply = await call(sim, 'GET', '/openapi/v1/nothing-here', { token: null });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toBe('text/html');
  });
});

describe('token expiry follows the simulator clock', () => {
  it('A token with a future expiry works until the clock passes it, then gets 401.', async () => {
    const fixture = loadDefaultFixture();
    const expiresAt = Date.UTC(2025, 0, 1, 1, 0, 0);
    fixture.users[0] = { ...fixture.users[0]!, expires_at: new Date(expiresAt).toISOString() };
    const clock = createFakeClock(expiresAt - 1000);
    const sim = await startSimulator({ fixture, clock });
    try {
      expect((await call(sim, 'GET', paths.apps())).status).toBe(200);
      await clock.advance(1000);
      const reply = await call(sim, 'GET', paths.apps());
      expect(reply.status).toBe(401);
      expect(reply.json).toMatchObject({ detail: 'No such user' });
    } finally {
      await sim.stop();
    }
  });
});

describe('the team list and token rotation', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());

  it("lists the token's teams, one per page as the console checks ask, with the total", async () => {
    const bob = await call(sim, 'GET', '/openapi/v1/teams?page=1&page_size=1', { token: USERS.bob.token });
    expect(bob.status).toBe(200);
    expect(bob.json).toMatchObject({ total: 1, page: 1, page_size: 1 });
    expect((bob.json as { tenants: unknown[] }).tenants).toHaveLength(1);
    const alice = await call(sim, 'GET', '/openapi/v1/teams?page=x', { token: USERS.alice.token });
    expect(alice.json).toMatchObject({ total: 3, page: 1, page_size: 10 });
    expect(sim.ledger.calls.at(-1)?.route).toBe('listTeams');
  });

  it('answers 401 without a valid token, like every view', async () => {
    const reply = await call(sim, 'GET', '/openapi/v1/teams', { token: 'f'.repeat(40) });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Token');
  });

  it('a rotated token replaces the old one at once; a revoked one matches nothing', async () => {
    const rotated = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
    sim.state.setUserToken('bob', rotated);
    expect((await call(sim, 'GET', '/openapi/v1/teams', { token: USERS.bob.token })).status).toBe(401);
    expect((await call(sim, 'GET', '/openapi/v1/teams', { token: rotated })).status).toBe(200);
    sim.state.setUserToken('bob', null);
    expect((await call(sim, 'GET', '/openapi/v1/teams', { token: rotated })).status).toBe(401);
    expect((await call(sim, 'GET', '/openapi/v1/teams', { token: '' })).status).toBe(401);
  });
});
