// The client against real in-process HTTP servers that answer correctly, with every error style
// the console uses, and misbehave on purpose.

import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRainbondClient,
  type RainbondClient,
  type RainbondClientOptions,
  type ResponseEvent,
} from '../../../src/rainbond/client.ts';
import {
  RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
} from '../../../src/rainbond/errors.ts';
import type { AppRef } from '../../../src/rainbond/types.ts';
import {
  answer,
  type FakeConsole,
  type Handler,
  startFakeConsole,
  unusedPort,
} from '../../fakes/console-server.ts';
import { eventually } from '../../support/eventually.ts';
import {
  APP_PATH,
  COPY_ID,
  copyableEntry,
  envelope,
  SERVICE_ID,
  SOURCE,
  serviceBaseInfo,
  TARGET,
  TOKEN,
} from './fixtures.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  console: FakeConsole;
  client: RainbondClient;
  events: ResponseEvent[];
}

async function setup(handler: Handler, options: Partial<RainbondClientOptions> = {}): Promise<Setup> {
  const fake = await startFakeConsole(handler);
  const events: ResponseEvent[] = [];
  const client = createRainbondClient({
    baseUrl: fake.url,
    copyTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    onResponse: (event) => events.push(event),
    ...options,
  });
  cleanups.push(
    () => fake.close(),
    () => client.close(),
  );
  return { console: fake, client, events };
}

/** The rejection of a promise, failing the test if it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<RainbondError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RainbondError);
    return error as RainbondError;
  }
  throw new Error('expected the call to fail');
}

/** Nothing a caller could log or export may carry the token. */
function expectNoToken(error: unknown, events: ResponseEvent[]): void {
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(JSON.stringify(events)).not.toContain(TOKEN);
}

const copyRequest = {
  services: [
    { serviceId: SERVICE_ID, change: { buildSource: { version: 'v2' }, envs: { OLD_NAME: 'NEW_NAME' } } },
    { serviceId: 'c0ffee00c0ffee00c0ffee00c0ffee00' },
  ],
  targetTeamName: 'o19p6wen',
  targetRegionName: 'rainbond',
  targetAppId: 34,
};

describe('each call sends the request the console expects and reads its bare answer', () => {
  interface Case {
    name: string;
    route: ResponseEvent['route'];
    invoke: (client: RainbondClient) => Promise<unknown>;
    method: string;
    path: string;
    body: unknown;
    status: number;
    answer: unknown;
    expected: unknown;
  }
  const cases: Case[] = [
    {
      name: 'the copy pre-flight GETs the copy path and reads string min_memory, build_source and unknown keys',
      route: 'copyPreflight',
      invoke: (client) => client.listCopyableComponents(TOKEN, SOURCE),
      method: 'GET',
      path: `${APP_PATH}/copy`,
      body: undefined,
      status: 200,
      answer: [
        copyableEntry(),
        copyableEntry({
          service_id: 'a'.repeat(32),
          build_source: { service_source: 'package_build' },
          min_memory: null,
          create_status: null,
        }),
      ],
      expected: [
        {
          serviceId: SERVICE_ID,
          serviceCname: 'shop-api',
          serviceAlias: 'gr4d3e2f',
          createStatus: 'complete',
          serviceSource: 'docker_image',
          buildVersion: 'v1',
          image: 'goodrain.me/shop-api:v1',
          minMemory: 512,
        },
        {
          serviceId: 'a'.repeat(32),
          serviceCname: 'shop-api',
          serviceAlias: 'gr4d3e2f',
          createStatus: null,
          serviceSource: 'package_build',
          buildVersion: null,
          image: null,
          minMemory: null,
        },
      ],
    },
    {
      name: 'the copy POSTs the snake_case body and reads the created components from {"services": [...]}',
      route: 'copy',
      invoke: (client) => client.copyApp(TOKEN, SOURCE, copyRequest),
      method: 'POST',
      path: `${APP_PATH}/copy`,
      body: {
        services: [
          {
            service_id: SERVICE_ID,
            change: { build_source: { version: 'v2' }, envs: { OLD_NAME: 'NEW_NAME' } },
          },
          { service_id: 'c0ffee00c0ffee00c0ffee00c0ffee00' },
        ],
        target_team_name: 'o19p6wen',
        target_region_name: 'rainbond',
        target_app_id: 34,
      },
      status: 200,
      answer: {
        services: [
          serviceBaseInfo({
            service_id: COPY_ID,
            service_alias: 'gr4e5d6c',
            service_cname: 'shop-api-copy',
            status: '',
            k8s_component_name: 'shop-api-gr4e5d6c',
          }),
        ],
      },
      expected: [
        {
          serviceId: COPY_ID,
          serviceAlias: 'gr4e5d6c',
          serviceCname: 'shop-api-copy',
          k8sComponentName: 'shop-api-gr4e5d6c',
          status: null,
          createStatus: 'complete',
          serviceSource: 'docker_image',
        },
      ],
    },
    {
      name: 'a copy of every component sends an empty services list',
      route: 'copy',
      invoke: (client) => client.copyApp(TOKEN, SOURCE, { ...copyRequest, services: [] }),
      method: 'POST',
      path: `${APP_PATH}/copy`,
      body: { services: [], target_team_name: 'o19p6wen', target_region_name: 'rainbond', target_app_id: 34 },
      status: 200,
      answer: { services: [] },
      expected: [],
    },
    {
      name: 'listing the components GETs services and reads a null live status and a missing k8s name',
      route: 'listComponents',
      invoke: (client) => client.listComponents(TOKEN, TARGET),
      method: 'GET',
      path: '/openapi/v1/teams/o19p6wen/regions/rainbond/apps/34/services',
      body: undefined,
      status: 200,
      answer: [
        serviceBaseInfo(),
        serviceBaseInfo({ service_id: COPY_ID, status: null, k8s_component_name: undefined }),
      ],
      expected: [
        {
          serviceId: SERVICE_ID,
          serviceAlias: 'gr4d3e2f',
          serviceCname: 'shop-api',
          k8sComponentName: 'shop-api',
          status: 'running',
          createStatus: 'complete',
          serviceSource: 'docker_image',
        },
        {
          serviceId: COPY_ID,
          serviceAlias: 'gr4d3e2f',
          serviceCname: 'shop-api',
          k8sComponentName: null,
          status: null,
          createStatus: 'complete',
          serviceSource: 'docker_image',
        },
      ],
    },
    {
      name: 'reading one component GETs its path and reads the bare object with its access_infos',
      route: 'getComponent',
      invoke: (client) => client.getComponent(TOKEN, TARGET, COPY_ID),
      method: 'GET',
      path: `/openapi/v1/teams/o19p6wen/regions/rainbond/apps/34/services/${COPY_ID}`,
      body: undefined,
      status: 200,
      answer: serviceBaseInfo({
        service_id: COPY_ID,
        status: 'stopping',
        access_infos: ['http://gr4d3e2f-80-t7k2m9qa.apps.example.com', '203.0.113.10:30001'],
      }),
      expected: {
        serviceId: COPY_ID,
        serviceAlias: 'gr4d3e2f',
        serviceCname: 'shop-api',
        k8sComponentName: 'shop-api',
        status: 'stopping',
        createStatus: 'complete',
        serviceSource: 'docker_image',
        accessInfos: ['http://gr4d3e2f-80-t7k2m9qa.apps.example.com', '203.0.113.10:30001'],
      },
    },
    {
      name: "reading a component's events GETs the first page, newest first, and keeps what tells a failed build",
      route: 'componentEvents',
      invoke: (client) => client.listComponentEvents(TOKEN, TARGET, COPY_ID),
      method: 'GET',
      path: `/openapi/v1/teams/o19p6wen/regions/rainbond/apps/34/services/${COPY_ID}/events?page=1&page_size=20`,
      body: undefined,
      status: 200,
      answer: {
        events: [
          {
            event_id: 'e2',
            opt_type: 'build-service',
            status: 'failure',
            final_status: 'complete',
            message: 'pull image failed',
            create_time: '2026-12-03 08:00:00',
            user_name: 'alice',
          },
          { event_id: 'e1', opt_type: 'build-service', status: '', final_status: '', message: '' },
        ],
        total: 2,
        page: 1,
        page_size: 20,
      },
      expected: [
        {
          eventId: 'e2',
          optType: 'build-service',
          status: 'failure',
          finalStatus: 'complete',
          message: 'pull image failed',
          createTime: '2026-12-03 08:00:00',
        },
        {
          eventId: 'e1',
          optType: 'build-service',
          status: null,
          finalStatus: null,
          message: null,
          createTime: null,
        },
      ],
    },
    {
      name: 'stopping components POSTs the action and the service ids to operations',
      route: 'operateComponents',
      invoke: (client) => client.operateComponents(TOKEN, TARGET, 'stop', [COPY_ID, SERVICE_ID]),
      method: 'POST',
      path: '/openapi/v1/teams/o19p6wen/regions/rainbond/apps/34/operations',
      body: { action: 'stop', service_ids: [COPY_ID, SERVICE_ID] },
      status: 200,
      answer: { msg: '操作成功' },
      expected: undefined,
    },
    {
      name: 'deleting a component sends DELETE with force=1 and accepts the empty answer',
      route: 'deleteComponent',
      invoke: (client) => client.deleteComponent(TOKEN, TARGET, COPY_ID),
      method: 'DELETE',
      path: `/openapi/v1/teams/o19p6wen/regions/rainbond/apps/34/services/${COPY_ID}?force=1`,
      body: undefined,
      status: 200,
      answer: '',
      expected: undefined,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const {
      console: fake,
      client,
      events,
    } = await setup((_request, response) => {
      if (c.answer === '') {
        response.writeHead(c.status, { 'content-length': '0' });
        response.end();
      } else {
        answer(response, c.status, c.answer);
      }
    });
    await expect(c.invoke(client)).resolves.toEqual(c.expected);
    expect(fake.received).toHaveLength(1);
    const [received] = fake.received;
    expect(received?.method).toBe(c.method);
    expect(received?.url).toBe(c.path);
    expect(received?.headers.authorization).toBe(TOKEN);
    expect(received?.headers.accept).toBe('application/json');
    if (c.body === undefined) {
      expect(received?.body).toBe('');
    } else {
      expect(received?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(received?.body ?? '')).toEqual(c.body);
    }
    expect(events).toEqual([{ route: c.route, outcome: 'success', durationMs: expect.any(Number) }]);
  });
});

describe('an answer other than 2xx becomes the error that says what to do next', () => {
  const longReason = '配额不足，'.repeat(200);
  interface Case {
    name: string;
    status: number;
    body: unknown;
    headers?: Record<string, string>;
    expectedClass: new (...args: never[]) => RainbondError;
    message: string | RegExp;
    consoleMessage?: string | undefined;
    businessCode?: number | undefined;
  }
  const cases: Case[] = [
    {
      name: 'a 401 with WWW-Authenticate is unauthorized, with the console message',
      status: 401,
      headers: { 'www-authenticate': 'Token' },
      body: { detail: 'No such user', code: 401, msg: 'No such user', msg_show: 'No such user' },
      expectedClass: RainbondUnauthorizedError,
      message: 'the console did not accept the token for the copy (HTTP 401): No such user',
      consoleMessage: 'No such user',
    },
    {
      name: 'a 403 in the framework style is unauthorized',
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' },
      expectedClass: RainbondUnauthorizedError,
      message:
        'the console did not accept the token for the copy (HTTP 403): You do not have permission to perform this action.',
      consoleMessage: 'You do not have permission to perform this action.',
    },
    {
      name: 'a 404 for an unknown target app is rejected with msg_show and msg',
      status: 404,
      body: envelope(404, 'no found group app', '目标应用不存在'),
      expectedClass: RainbondRejectedError,
      message: 'the console rejected the copy (HTTP 404): 目标应用不存在 (no found group app)',
      consoleMessage: '目标应用不存在',
      businessCode: 404,
    },
    {
      name: 'a 404 for an unknown region carries the business code 3000',
      status: 404,
      body: envelope(3000, 'the region is not found', '集群不存在'),
      expectedClass: RainbondRejectedError,
      message: 'the console rejected the copy (HTTP 404): 集群不存在 (the region is not found)',
      consoleMessage: '集群不存在',
      businessCode: 3000,
    },
    {
      name: 'a 409 for a team not opened in the region is rejected with code 2001',
      status: 409,
      body: envelope(2001, 'the team is not initialized in the region', '团队未在该集群初始化'),
      expectedClass: RainbondRejectedError,
      message:
        'the console rejected the copy (HTTP 409): 团队未在该集群初始化 (the team is not initialized in the region); the console gives this answer when the team was never opened in that region, and also when the region is offline',
      consoleMessage: '团队未在该集群初始化',
      businessCode: 2001,
    },
    {
      name: 'a 400 for package_build components is rejected',
      status: 400,
      body: {
        code: 400,
        msg: 'package_build components do not support quick copy',
        msg_show: '本地文件构建的组件不支持快速复制',
      },
      expectedClass: RainbondRejectedError,
      message:
        /^the console rejected the copy \(HTTP 400\): 本地文件构建的组件不支持快速复制 \(package_build/,
      consoleMessage: '本地文件构建的组件不支持快速复制',
      businessCode: 400,
    },
    {
      name: 'a 412 envelope is rejected',
      status: 412,
      body: envelope(412, 'component is depended on', '组件被依赖，无法操作'),
      expectedClass: RainbondRejectedError,
      message: 'the console rejected the copy (HTTP 412): 组件被依赖，无法操作 (component is depended on)',
      consoleMessage: '组件被依赖，无法操作',
      businessCode: 412,
    },
    {
      name: 'a quota rejection with a very long msg_show is cut short',
      status: 400,
      body: envelope(20002, 'not enough quota', longReason),
      expectedClass: RainbondRejectedError,
      message: /^the console rejected the copy \(HTTP 400\): [配额不足，]{199}…$/,
      consoleMessage: `${Array.from(longReason).slice(0, 199).join('')}…`,
      businessCode: 20002,
    },
    {
      name: 'a 500 HTML page is an unknown outcome named by its title',
      status: 500,
      body: '<!doctype html><html><head><title>Server Error (500)</title></head><body><h1>Server Error (500)</h1></body></html>',
      expectedClass: RainbondOutcomeUnknownError,
      message: 'the console failed on the copy (HTTP 500): Server Error (500); it may have taken effect',
    },
    {
      name: 'a 502 from a proxy is an unknown outcome',
      status: 502,
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
      expectedClass: RainbondOutcomeUnknownError,
      message: 'the console failed on the copy (HTTP 502): 502 Bad Gateway; it may have taken effect',
    },
    {
      name: 'a redirect is not followed and is rejected with where it pointed',
      status: 301,
      headers: { location: 'https://console.example.com/openapi/v1/teams/x?ticket=secret' },
      body: '',
      expectedClass: RainbondRejectedError,
      message:
        'the console URL redirected the copy (HTTP 301) to https://console.example.com; set the console URL to the address that answers directly',
    },
    {
      name: 'a 200 with truncated JSON is an unknown outcome: the copy happened but its result is unreadable',
      status: 200,
      body: '{"services": [{"service_id": "b7e3a1d9c2f84e6a9d0c1b2a3f4e5d6c", "service_al',
      expectedClass: RainbondOutcomeUnknownError,
      message:
        'the console answered the copy with HTTP 200 but the answer could not be read: the body is not JSON; it took effect',
    },
    {
      name: 'a 200 whose components lack service_id is an unknown outcome',
      status: 200,
      body: { services: [{ service_alias: 'gr4e5d6c' }] },
      expectedClass: RainbondOutcomeUnknownError,
      message:
        /^the console answered the copy with HTTP 200 but the answer could not be read: services\.0\.service_id: /,
    },
    {
      name: 'a 200 with a bare array instead of {"services": [...]} is an unknown outcome',
      status: 200,
      body: [serviceBaseInfo()],
      expectedClass: RainbondOutcomeUnknownError,
      message: /^the console answered the copy with HTTP 200 but the answer could not be read: the body: /,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const { client, events } = await setup((_request, response) =>
      answer(response, c.status, c.body, c.headers),
    );
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(error).toBeInstanceOf(c.expectedClass);
    expect(error.route).toBe('copy');
    expect(error.httpStatus).toBe(c.status);
    if (typeof c.message === 'string') expect(error.message).toBe(c.message);
    else expect(error.message).toMatch(c.message);
    if (error instanceof RainbondRejectedError || error instanceof RainbondUnauthorizedError) {
      expect(error.consoleMessage).toBe(c.consoleMessage);
    }
    if (error instanceof RainbondRejectedError) expect(error.businessCode).toBe(c.businessCode);
    expect(events).toEqual([{ route: 'copy', outcome: expect.any(String), durationMs: expect.any(Number) }]);
    expectNoToken(error, events);
  });

  it('a 404 for a component that is not there is a definite rejection of the read', async () => {
    const { client, events } = await setup((_request, response) =>
      answer(response, 404, envelope(404, 'no found component', '组件不存在')),
    );
    const error = await failureOf(client.getComponent(TOKEN, TARGET, COPY_ID));
    expect(error).toBeInstanceOf(RainbondRejectedError);
    expect(error.message).toBe(
      'the console rejected reading the component (HTTP 404): 组件不存在 (no found component)',
    );
    expect(events).toEqual([{ route: 'getComponent', outcome: 'rejected', durationMs: expect.any(Number) }]);
  });

  it('a 409 on delete for a running component is rejected with the console asking to close it first', async () => {
    const { client } = await setup((_request, response) =>
      answer(response, 409, envelope(409, 'service is running', '请先关闭组件再删除')),
    );
    const error = await failureOf(client.deleteComponent(TOKEN, TARGET, COPY_ID));
    expect(error).toBeInstanceOf(RainbondRejectedError);
    expect((error as RainbondRejectedError).consoleMessage).toBe('请先关闭组件再删除');
  });

  it('a 200 HTML page for an operation is an unknown outcome, not a success', async () => {
    const { client } = await setup((_request, response) =>
      answer(response, 200, '<html><head><title>Login</title></head></html>'),
    );
    const error = await failureOf(client.operateComponents(TOKEN, TARGET, 'stop', [COPY_ID]));
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.message).toBe(
      'the console answered the component operation with HTTP 200 but the answer could not be read: the body is not JSON; it took effect',
    );
  });

  it('a console message that repeats the token has it redacted', async () => {
    const { client, events } = await setup((request, response) =>
      answer(
        response,
        400,
        envelope(
          400,
          `bad token ${request.headers.authorization}`,
          `令牌 ${request.headers.authorization} 无效`,
        ),
      ),
    );
    const error = await failureOf(client.listComponents(TOKEN, TARGET));
    expect(error.message).toBe(
      'the console rejected listing the components (HTTP 400): 令牌 [redacted] 无效 (bad token [redacted])',
    );
    expectNoToken(error, events);
  });
});

describe('a failure without an answer is classified by whether the request could have arrived', () => {
  it('a connection destroyed after the copy was sent is an unknown outcome', async () => {
    const { client, events, console: fake } = await setup((_request, _response, raw) => raw.socket.destroy());
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(fake.received).toHaveLength(1);
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.httpStatus).toBeUndefined();
    expect(error.message).toMatch(
      /^the connection to the console at 127\.0\.0\.1:\d+ failed after sending it for the copy, before an answer: .*\(ECONNRESET\); it may have taken effect$/,
    );
    expect(error.cause).toMatch(/^ECONNRESET: /);
    expect(events).toEqual([{ route: 'copy', outcome: 'outcome_unknown', durationMs: expect.any(Number) }]);
    expectNoToken(error, events);
  });

  it('a connection destroyed after a read was sent is an unknown outcome too, without the effect note', async () => {
    const { client } = await setup((_request, _response, raw) => raw.socket.destroy());
    const error = await failureOf(client.listComponents(TOKEN, TARGET));
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.message).not.toContain('taken effect');
  });

  it('a port with nothing listening means the copy was not sent', async () => {
    const port = await unusedPort();
    const events: ResponseEvent[] = [];
    const client = createRainbondClient({
      baseUrl: `http://127.0.0.1:${port}`,
      copyTimeoutMs: 5_000,
      requestTimeoutMs: 5_000,
      onResponse: (event) => events.push(event),
    });
    cleanups.push(() => client.close());
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(error.message).toBe(
      `could not connect to the console at 127.0.0.1:${port} for the copy: connection refused (ECONNREFUSED); nothing was sent`,
    );
    expect(events).toEqual([{ route: 'copy', outcome: 'not_sent', durationMs: expect.any(Number) }]);
    expectNoToken(error, events);
  });

  it('a host name that does not resolve means the copy was not sent', async () => {
    const client = createRainbondClient({
      baseUrl: 'http://rainbond-console.invalid:7070',
      copyTimeoutMs: 5_000,
      requestTimeoutMs: 5_000,
    });
    cleanups.push(() => client.close());
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(error.message).toMatch(
      /^could not resolve the console host rainbond-console\.invalid for the copy \((ENOTFOUND|EAI_AGAIN)\); nothing was sent$/,
    );
  });

  it('a console that never answers the copy is an unknown outcome once the copy timeout expires', async () => {
    const { client, console: fake } = await setup(() => {}, { copyTimeoutMs: 300 });
    const started = Date.now();
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(fake.received).toHaveLength(1);
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.message).toMatch(
      /^no answer from the console at 127\.0\.0\.1:\d+ to the copy within 300 ms after sending it; it may have taken effect$/,
    );
  });

  it('the copy timeout applies to the copy and the request timeout to every other call', async () => {
    const { client } = await setup(() => {}, { copyTimeoutMs: 5_000, requestTimeoutMs: 200 });
    const started = Date.now();
    const error = await failureOf(client.listCopyableComponents(TOKEN, SOURCE));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.message).toContain('within 200 ms after sending it');
  });

  it('a caller that cancels after the copy was sent gets an unknown outcome', async () => {
    const { client, console: fake } = await setup(() => {});
    const controller = new AbortController();
    const pending = failureOf(client.copyApp(TOKEN, SOURCE, copyRequest, controller.signal));
    await eventually(() => fake.received.length === 1, {
      what: 'the condition',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.message).toBe(
      'the copy was cancelled after sending it to the console; it may have taken effect',
    );
  });

  it('a caller that cancelled before calling gets not sent, and nothing reaches the console', async () => {
    const { client, console: fake } = await setup((_request, response) =>
      answer(response, 200, { services: [] }),
    );
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest, AbortSignal.abort()));
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(error.message).toBe('the copy was cancelled before it reached the console; nothing was sent');
    expect(fake.received).toHaveLength(0);
  });

  it('a huge 200 body with a Content-Length is refused before it is read', async () => {
    const { client } = await setup(
      (_request, response) => {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(64 * 1024 * 1024),
        });
        response.write('[');
      },
      { maxResponseBytes: 1024 * 1024 },
    );
    const error = await failureOf(client.listComponents(TOKEN, TARGET));
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.httpStatus).toBe(200);
    expect(error.message).toBe(
      'the console answered listing the components with HTTP 200 but the answer could not be read: the answer is larger than the limit of 1048576 bytes (ERR_ABORTED)',
    );
  });

  it('a huge streamed copy answer is cut off at the limit instead of filling the heap', async () => {
    const total = 256 * 1024 * 1024;
    let written = 0;
    let stoppedEarly = false;
    const { client } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (written < total) {
            written += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          response.end();
        };
        response.on('close', () => {
          stoppedEarly = written < total;
        });
        response.write('{"services": [');
        pump();
      },
      { maxResponseBytes: 1024 * 1024 },
    );
    const error = await failureOf(client.copyApp(TOKEN, SOURCE, copyRequest));
    expect(error).toBeInstanceOf(RainbondOutcomeUnknownError);
    expect(error.message).toContain('the answer is larger than the limit of 1048576 bytes');
    await eventually(() => stoppedEarly, { what: 'the condition', timeoutMs: 5_000, intervalMs: 10 });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('a huge error body still yields the definite rejection its status says, without a message', async () => {
    const { client } = await setup(
      (_request, response) => {
        response.writeHead(404, { 'content-type': 'text/html', 'content-length': String(64 * 1024 * 1024) });
        response.write('<html>');
      },
      { maxResponseBytes: 64 * 1024 },
    );
    const error = await failureOf(client.getComponent(TOKEN, TARGET, COPY_ID));
    expect(error).toBeInstanceOf(RainbondRejectedError);
    expect(error.message).toBe('the console rejected reading the component (HTTP 404)');
    expect((error as RainbondRejectedError).consoleMessage).toBeUndefined();
  });
});

describe('the token', () => {
  it('is sent raw, without a Bearer prefix, with surrounding whitespace from a file trimmed', async () => {
    const { client, console: fake } = await setup((_request, response) => answer(response, 200, []));
    await client.listComponents(`  ${TOKEN}\n`, TARGET);
    expect(fake.received[0]?.headers.authorization).toBe(TOKEN);
  });

  it.each([
    { name: 'an empty token is unauthorized and nothing is sent', token: '  \n', problem: 'it is empty' },
    {
      name: 'a token with a line break inside is unauthorized and nothing is sent',
      token: `${TOKEN.slice(0, 20)}\r\nX-Injected: 1${TOKEN.slice(20)}`,
      problem: 'it contains characters not allowed in an HTTP header',
    },
  ])('$name', async ({ token, problem }) => {
    const { client, console: fake, events } = await setup((_request, response) => answer(response, 200, []));
    const error = await failureOf(client.listComponents(token, TARGET));
    expect(error).toBeInstanceOf(RainbondUnauthorizedError);
    expect(error.message).toBe(
      `the token cannot be used for listing the components: ${problem}; nothing was sent`,
    );
    expect(fake.received).toHaveLength(0);
    expect(events).toEqual([
      { route: 'listComponents', outcome: 'unauthorized', durationMs: expect.any(Number) },
    ]);
  });
});

describe('connections', () => {
  it('are kept alive across calls, and close() ends them', async () => {
    const { client, console: fake } = await setup((_request, response) => answer(response, 200, []));
    await client.listComponents(TOKEN, TARGET);
    await client.listComponents(TOKEN, TARGET);
    await client.listCopyableComponents(TOKEN, SOURCE);
    expect(fake.received).toHaveLength(3);
    expect(fake.connections()).toBe(1);
    client.close();
    await eventually(() => fake.openConnections() === 0, {
      what: 'the condition',
      timeoutMs: 5_000,
      intervalMs: 10,
    });
  });

  it('the copy opens a connection of its own, so a socket the console closed while idle cannot fail it', async () => {
    const { client, console: fake } = await setup((request, response) =>
      answer(response, 200, request.method === 'POST' ? { services: [] } : []),
    );
    await client.listComponents(TOKEN, TARGET);
    await client.copyApp(TOKEN, SOURCE, copyRequest);
    await client.listComponents(TOKEN, TARGET);
    expect(fake.received.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
    expect(fake.received[1]?.headers.connection).toBe('close');
    expect(fake.connections()).toBe(2);
  });

  it('a call after close() is not sent', async () => {
    const { client, console: fake } = await setup((_request, response) => answer(response, 200, []));
    client.close();
    const error = await failureOf(client.listComponents(TOKEN, TARGET));
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(fake.received).toHaveLength(0);
  });
});

describe('requests the client refuses to build', () => {
  it.each([
    {
      name: 'a ".." service id would address the app itself',
      invoke: (c: RainbondClient) => c.deleteComponent(TOKEN, TARGET, '..'),
    },
    {
      name: 'an empty service id would address the list',
      invoke: (c: RainbondClient) => c.deleteComponent(TOKEN, TARGET, ''),
    },
    {
      name: 'an app id that is not a positive integer',
      invoke: (c: RainbondClient) => c.listComponents(TOKEN, { ...TARGET, appId: 0 }),
    },
    {
      name: 'a copy whose target app id is not a positive integer',
      invoke: (c: RainbondClient) => c.copyApp(TOKEN, SOURCE, { ...copyRequest, targetAppId: 1.5 }),
    },
    {
      name: 'a copy with an empty service id',
      invoke: (c: RainbondClient) =>
        c.copyApp(TOKEN, SOURCE, { ...copyRequest, services: [{ serviceId: '' }] }),
    },
    {
      name: 'a pre-flight of an app id that is not an integer',
      invoke: (c: RainbondClient) => c.listCopyableComponents(TOKEN, { ...SOURCE, appId: Number.NaN }),
    },
    {
      name: 'an operation that is not one of the four actions',
      invoke: (c: RainbondClient) => c.operateComponents(TOKEN, TARGET, 'restart' as never, [COPY_ID]),
    },
  ])('$name is a TypeError and nothing is sent', async ({ invoke }) => {
    const { client, console: fake, events } = await setup((_request, response) => answer(response, 200, {}));
    await expect(invoke(client)).rejects.toBeInstanceOf(TypeError);
    expect(fake.received).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('an operation on no components sends nothing, since the console would act on every component', async () => {
    const { client, console: fake } = await setup((_request, response) =>
      answer(response, 200, { msg: 'ok' }),
    );
    await expect(client.operateComponents(TOKEN, TARGET, 'stop', [])).resolves.toBeUndefined();
    expect(fake.received).toHaveLength(0);
  });
});

describe('URLs', () => {
  it('keep a path prefix of the base URL and encode ids', async () => {
    const fake = await startFakeConsole((_request, response) => answer(response, 200, []));
    const client = createRainbondClient({
      baseUrl: `${fake.url}/console/`,
      copyTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    });
    cleanups.push(
      () => fake.close(),
      () => client.close(),
    );
    const app: AppRef = { teamId: 'team a/b', regionName: 'rainbond', appId: 7 };
    await client.listComponents(TOKEN, app);
    expect(fake.received[0]?.url).toBe(
      '/console/openapi/v1/teams/team%20a%2Fb/regions/rainbond/apps/7/services',
    );
  });

  it.each([
    { name: 'a base URL that is not http or https', baseUrl: 'ftp://console:21' },
    { name: 'a base URL with credentials', baseUrl: 'http://user:pass@console:7070' },
    { name: 'a base URL with a query', baseUrl: 'http://console:7070/?x=1' },
    { name: 'a base URL that is not absolute', baseUrl: 'console:7070' },
  ])('$name is refused when the client is created', ({ baseUrl }) => {
    expect(() => createRainbondClient({ baseUrl, copyTimeoutMs: 1, requestTimeoutMs: 1 })).toThrow(TypeError);
  });
});

describe("reading the console's release", () => {
  const info = (value: string | null) => ({
    code: 200,
    msg: 'query success',
    msg_show: 'Logo获取成功',
    data: {
      bean: {
        title: 'Rainbond',
        enterprise_id: 'e1f2',
        version: value === null ? null : { enable: true, value },
      },
      list: [],
    },
  });

  it.each([
    { said: info('v6.9.8-release-1a2b3c4-2026031512'), release: 'v6.9.8-release-1a2b3c4-2026031512' },
    { said: info(''), release: undefined },
    { said: info(null), release: undefined },
  ])(
    'GETs /console/config/info without a token and keeps the RELEASE_DESC ($release)',
    async ({ said, release }) => {
      const { console: fake, client } = await setup((_request, response) => answer(response, 200, said));
      await expect(client.readRelease()).resolves.toBe(release);
      expect(fake.received).toHaveLength(1);
      expect(fake.received[0]?.method).toBe('GET');
      expect(fake.received[0]?.url).toBe('/console/config/info');
      expect(fake.received[0]?.headers.authorization).toBeUndefined();
    },
  );

  it('an answer without data.bean is an answer that could not be read', async () => {
    const { client } = await setup((_request, response) => answer(response, 200, { code: 200 }));
    await expect(client.readRelease()).rejects.toMatchObject({ code: 'RAINBOND_OUTCOME_UNKNOWN' });
  });
});
