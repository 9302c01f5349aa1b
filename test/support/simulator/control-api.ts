// The control API under /__sim/: what a test holding the Simulator object does directly,
// made available over HTTP to a simulator running in another process (benchmarks, demos).
// JSON in and out; errors are {"error": "..."} with 400, 404 or 409. Not part of the console:
// no auth, and calls here are not in the ledger.
//
//   GET    /__sim/ledger                      {calls, copies, components}
//   DELETE /__sim/ledger                      forget everything recorded
//   GET    /__sim/faults                      active faults
//   POST   /__sim/faults                      a fault spec or an array of them -> {ids}
//   DELETE /__sim/faults                      remove all faults
//   DELETE /__sim/faults/{id}                 remove one fault
//   POST   /__sim/faults/seed                 {seed} restarts the fault PRNG
//   GET    /__sim/clock                       {now, manual}
//   POST   /__sim/clock/advance               {ms} (manual clock only) -> {now}
//   GET    /__sim/state                       teams, apps, components with live status, and the
//                                             console release played {id, models, releaseDesc}
//   POST   /__sim/state/reset                 back to the starting fixture (or {fixture})
//   POST   /__sim/state/apps                  add an app (a fixture app entry)
//   POST   /__sim/state/components            add a component (a fixture component entry)
//   POST   /__sim/state/components/{id}       {status?, ...patch}: change a component
//   DELETE /__sim/state/components/{id}       remove a component
//   POST   /__sim/state/users/{nick}/token    {token: string | null}: rotate or revoke a user's token
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isManualClock, type SimulatorClock } from './clock.ts';
import { COMPONENT_STATUSES } from './component-status.ts';
import type { FaultInjector } from './faults.ts';
import {
  fixtureEnvSchema,
  fixtureHttpRuleSchema,
  fixturePortSchema,
  fixtureTcpRuleSchema,
} from './fixture-schema.ts';
import type { Ledger } from './ledger.ts';
import type { ReleaseProfile } from './releases.ts';
import type { SimulatorState } from './state.ts';

export interface ControlDeps {
  ledger: Ledger;
  faults: FaultInjector;
  clock: SimulatorClock;
  state: SimulatorState;
  release: ReleaseProfile;
  releaseDesc: string;
}

const componentPatchSchema = z.strictObject({
  status: z.enum(COMPONENT_STATUSES).nullable().optional(),
  service_cname: z.string().min(1).optional(),
  k8s_component_name: z.string().min(1).optional(),
  image: z.string().optional(),
  version: z.string().optional(),
  code_version: z.string().nullable().optional(),
  create_status: z.string().min(1).optional(),
  service_source: z.string().min(1).optional(),
  envs: z.array(fixtureEnvSchema).optional(),
  depends_on: z.array(z.string()).optional(),
  build_fails: z.boolean().optional(),
  ports: z.array(fixturePortSchema).optional(),
  http_rules: z.array(fixtureHttpRuleSchema).optional(),
  tcp_rules: z.array(fixtureTcpRuleSchema).optional(),
  min_memory: z.number().int().nonnegative().optional(),
  extend_method: z.string().min(1).optional(),
});

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function handleControlCall(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  let status = 200;
  let body: unknown;
  try {
    body = await route(deps, req.method ?? 'GET', url.pathname.replace(/\/+$/, ''), rawBody);
  } catch (err) {
    status = err instanceof ControlError ? err.status : 400;
    body = { error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message };
  }
  const payload = Buffer.from(JSON.stringify(body ?? { ok: true }));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  res.end(payload);
}

function parseJson(rawBody: string): unknown {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody);
  } catch (err) {
    throw new ControlError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

async function route(deps: ControlDeps, method: string, path: string, rawBody: string): Promise<unknown> {
  const { ledger, faults, clock, state } = deps;
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /__sim/ledger':
      return ledger.toJSON();
    case 'DELETE /__sim/ledger':
      ledger.clear();
      return { ok: true };
    case 'GET /__sim/faults':
      return faults.list();
    case 'POST /__sim/faults': {
      const input = parseJson(rawBody);
      const specs = Array.isArray(input) ? input : [input];
      return { ids: specs.map((s) => faults.add(s as never)) };
    }
    case 'DELETE /__sim/faults':
      faults.clear();
      return { ok: true };
    case 'POST /__sim/faults/seed': {
      const { seed } = z.strictObject({ seed: z.number().int() }).parse(parseJson(rawBody));
      faults.reseed(seed);
      return { ok: true };
    }
    case 'GET /__sim/clock':
      return { now: clock.now(), manual: isManualClock(clock) };
    case 'POST /__sim/clock/advance': {
      if (!isManualClock(clock))
        throw new ControlError(409, 'the simulator runs on a real clock; start it with a manual clock');
      const { ms } = z.strictObject({ ms: z.number().nonnegative() }).parse(parseJson(rawBody));
      await clock.advance(ms);
      return { now: clock.now() };
    }
    case 'GET /__sim/state':
      return {
        ...state.snapshot(),
        release: { id: deps.release.id, models: deps.release.models, releaseDesc: deps.releaseDesc },
      };
    case 'POST /__sim/state/reset': {
      const input = parseJson(rawBody) as { fixture?: unknown };
      state.reset(input.fixture as never);
      return { ok: true };
    }
    case 'POST /__sim/state/apps':
      return state.addApp(parseJson(rawBody) as never);
    case 'POST /__sim/state/components':
      return withLiveStatus(state, state.addComponent(parseJson(rawBody) as never).service_id);
  }

  const faultMatch = /^\/__sim\/faults\/([\w-]+)$/.exec(path);
  if (faultMatch && method === 'DELETE') {
    if (!faults.remove(faultMatch[1] ?? '')) throw new ControlError(404, `no fault ${faultMatch[1]}`);
    return { ok: true };
  }
  const tokenMatch = /^\/__sim\/state\/users\/([\w-]+)\/token$/.exec(path);
  if (tokenMatch && method === 'POST') {
    const nick = tokenMatch[1] ?? '';
    if (!state.users().some((u) => u.nick_name === nick)) throw new ControlError(404, `no user ${nick}`);
    const { token } = z.strictObject({ token: z.string().min(1).nullable() }).parse(parseJson(rawBody));
    state.setUserToken(nick, token);
    return { ok: true };
  }
  const componentMatch = /^\/__sim\/state\/components\/([0-9a-f]+)$/.exec(path);
  if (componentMatch) {
    const id = componentMatch[1] ?? '';
    if (!state.component(id)) throw new ControlError(404, `no component ${id}`);
    if (method === 'DELETE') {
      state.removeComponent(id);
      return { ok: true };
    }
    if (method === 'POST') {
      const { status, ...patch } = componentPatchSchema.parse(parseJson(rawBody));
      if (Object.keys(patch).length > 0) state.updateComponent(id, patch);
      if (status !== undefined) state.setStatus(id, status);
      return withLiveStatus(state, id);
    }
  }
  throw new ControlError(404, `no control route ${method} ${path}`);
}

function withLiveStatus(state: SimulatorState, serviceId: string): unknown {
  return { ...state.component(serviceId), live_status: state.liveStatus(serviceId) };
}
