// Test helper: real HTTP calls to a simulator, the way a client of the console makes them
// (raw token in Authorization, JSON body). Not a test file itself.
import http from 'node:http';
import { REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import type { Simulator } from '../../support/simulator/index.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** Default: alice's token. null: no Authorization header. */
  token?: string | null;
  /** Serialized as JSON with content-type application/json. */
  body?: unknown;
  /** Sent as is (with content-type application/json unless contentType says otherwise). */
  rawBody?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export async function call(
  sim: Simulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? USERS.alice.token : opts.token;
  if (token !== null) headers.authorization = token;
  let body: string | undefined;
  if (opts.body !== undefined || opts.rawBody !== undefined) {
    body = opts.rawBody ?? JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Console paths, defaulting to the shop team in the default region. */
export const paths = {
  apps: (team: string = TEAMS.shop.tenantName, region: string = REGION) =>
    `/openapi/v1/teams/${team}/regions/${region}/apps`,
  app: (appId: number | string, team: string = TEAMS.shop.tenantName, region: string = REGION) =>
    `${paths.apps(team, region)}/${appId}`,
  copy: (appId: number | string, team: string = TEAMS.shop.tenantName, region: string = REGION) =>
    `${paths.app(appId, team, region)}/copy`,
  services: (appId: number | string, team: string = TEAMS.shop.tenantName, region: string = REGION) =>
    `${paths.app(appId, team, region)}/services`,
  service: (
    appId: number | string,
    serviceId: string,
    team: string = TEAMS.shop.tenantName,
    region: string = REGION,
  ) => `${paths.services(appId, team, region)}/${serviceId}`,
  operations: (appId: number | string, team: string = TEAMS.shop.tenantName, region: string = REGION) =>
    `${paths.app(appId, team, region)}/operations`,
  events: (
    appId: number | string,
    serviceId: string,
    team: string = TEAMS.shop.tenantName,
    region: string = REGION,
  ) => `${paths.service(appId, serviceId, team, region)}/events`,
};

/** A copy body into the staging team's app, as the doc's example has it. */
export function copyBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    services: [],
    target_team_name: TEAMS.staging.tenantName,
    target_region_name: REGION,
    target_app_id: 34,
    ...overrides,
  };
}

/** The business-error envelope, exactly. */
export function envelope(code: number, msg: string, msgShow: string): Record<string, unknown> {
  return { code, msg, msg_show: msgShow, data: { bean: {}, list: [] } };
}

export interface CopiedService {
  service_id: string;
  service_alias: string;
  service_cname: string;
  k8s_component_name: string;
  status: string;
  create_status: string;
  access_infos: string[];
  tenant_id: string;
  service_region: string;
  image: string;
  docker_cmd: string | null;
  extend_method: string;
  version: string;
  code_version: string | null;
}

export function copiedServices(reply: Reply): CopiedService[] {
  return (reply.json as { services: CopiedService[] }).services;
}

export type RawOutcome =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[] | undefined>;
      body: string;
      ms: number;
    }
  /** The connection failed (code like ECONNRESET) or the client gave up (code TIMEOUT). */
  | { kind: 'error'; code: string; ms: number; status?: number };

/**
 * A call over node:http that reports transport failures precisely (reset, cut body, timeout),
 * which fetch folds into one "fetch failed". A fresh connection per call, no keep-alive.
 */
export function rawCall(
  sim: Simulator,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<RawOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve) => {
    const req = http.request(`${sim.url}${path}`, {
      method,
      agent: false,
      headers: {
        authorization: opts.token ?? USERS.alice.token,
        ...(payload === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    let status: number | undefined;
    const fail = (code: string) =>
      resolve({ kind: 'error', code, ms: ms(), ...(status === undefined ? {} : { status }) });
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => {
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
      });
    }
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    req.on('response', (res) => {
      status = res.statusCode;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => fail('ABORTED'));
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
      res.on('end', () => {
        if (res.complete) {
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: ms(),
          });
        }
      });
    });
    req.end(payload);
  });
}
