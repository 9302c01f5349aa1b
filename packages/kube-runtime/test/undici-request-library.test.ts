// The HttpLibrary of the runtime's API clients, through PooledKubeConfig.makeApiClient and
// client-node's CustomObjectsApi, against a local HTTP server that records what it receives: the request is the
// one client-node would send with fetch(), an answer's status and body reach client-node as
// they would, and an abort signal (the operator's request deadline) ends a request that hangs.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApiException, CustomObjectsApi, HttpMethod, RequestContext } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, translateApiError } from '../src/kube-api-error.ts';
import { withRequestTimeout } from '../src/kube-request-timeout.ts';
import { PooledKubeConfig } from '../src/pooled-kube-config.ts';
import { createUndiciRequestLibrary } from '../src/undici-request-library.ts';

const TOKEN = 'undici-request-library-test-token';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface RecordingServer {
  url: string;
  received: Received[];
  /** Resolves when the server sees a request's connection close before it answered. */
  abandoned: Promise<void>;
  close(): Promise<void>;
}

let servers: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function startServer(
  answer: (request: Received, response: ServerResponse) => void,
): Promise<RecordingServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let markAbandoned: () => void = () => {};
  const abandoned = new Promise<void>((resolve) => {
    markAbandoned = resolve;
  });
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const seen = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    received.push(seen);
    response.on('close', () => {
      if (!response.writableFinished) markAbandoned();
    });
    answer(seen, response);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const recording = {
    url: `http://127.0.0.1:${port}`,
    received,
    abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  servers.push(recording);
  return recording;
}

function kubeConfigFor(server: string): PooledKubeConfig {
  const kc = new PooledKubeConfig({ userAgent: 'rainbond-appcopy-operator' });
  kc.loadFromOptions({
    // Plain HTTP: client-node allows it only with skipTLSVerify.
    clusters: [{ name: 'local', server, skipTLSVerify: true }],
    users: [{ name: 'operator', token: TOKEN }],
    contexts: [{ name: 'local', cluster: 'local', user: 'operator' }],
    currentContext: 'local',
  });
  return kc;
}

/** Any custom resource: the runtime knows no kind of its own. */
const GROUP = 'example.io';
const VERSION = 'v1';
const path = { group: GROUP, version: VERSION, plural: 'widgets', namespace: 'team-a', name: 'copy-1' };
const stored = {
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'Widget',
  metadata: { namespace: 'team-a', name: 'copy-1', uid: 'u-1', resourceVersion: '41', generation: 1 },
  spec: {},
};

describe('the undici request() HttpLibrary of PooledKubeConfig', () => {
  it('sends the status write client-node would send, names the operator, and asks for no compression', async () => {
    const api = await startServer((request, response) => {
      const echoed = { ...JSON.parse(request.body), metadata: { ...stored.metadata, resourceVersion: '42' } };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(echoed));
    });
    const customObjects = kubeConfigFor(api.url).makeApiClient(CustomObjectsApi);

    const written = (await customObjects.replaceNamespacedCustomObjectStatus({
      ...path,
      body: { ...stored, status: { phase: 'Copying' } },
      fieldManager: 'appcopy-operator',
    })) as typeof stored & { status: unknown };

    expect(written.metadata.resourceVersion).toBe('42');
    expect(written.status).toEqual({ phase: 'Copying' });
    const [request] = api.received;
    expect(request?.method).toBe('PUT');
    expect(request?.url).toBe(
      `/apis/${GROUP}/${VERSION}/namespaces/team-a/widgets/copy-1/status?fieldManager=appcopy-operator`,
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({ ...stored, status: { phase: 'Copying' } });
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'user-agent': 'rainbond-appcopy-operator',
    });
    expect(request?.headers['accept-encoding']).toBeUndefined();
  });

  it("hands a failure status to client-node with the API server's body and headers (409 -> ConflictError)", async () => {
    const conflict = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Conflict',
      message: 'the object has been modified',
      code: 409,
    };
    const api = await startServer((_request, response) => {
      response.setHeader('warning', ['299 - "one"', '299 - "two"']);
      response.writeHead(409, { 'content-type': 'application/json' });
      response.end(JSON.stringify(conflict));
    });
    const kc = kubeConfigFor(api.url);
    const customObjects = kc.makeApiClient(CustomObjectsApi);

    const failure = await customObjects
      .replaceNamespacedCustomObjectStatus({ ...path, body: stored })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiException);
    expect(failure).toMatchObject({ code: 409, headers: { warning: '299 - "one", 299 - "two"' } });
    expect(JSON.parse((failure as ApiException<string>).body)).toEqual(conflict);
    await expect(
      customObjects
        .replaceNamespacedCustomObjectStatus({ ...path, body: stored })
        .catch((error: unknown) => translateApiError(error, 'widget team-a/copy-1')),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("ends a request whose answer never comes at the caller's deadline, and closes it", async () => {
    const api = await startServer(() => {
      // never answers
    });
    const kc = withRequestTimeout(kubeConfigFor(api.url), 200);
    const customObjects = kc.makeApiClient(CustomObjectsApi);

    await expect(customObjects.getNamespacedCustomObject(path)).rejects.toThrow(/abort|timeout/i);
    await api.abandoned;
    expect(api.received).toHaveLength(1);
  });

  it("sends a body that is not text through client-node's fetch() library, unchanged", async () => {
    const api = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    const context = new RequestContext(`${api.url}/form`, HttpMethod.POST);
    context.setBody(new URLSearchParams({ a: '1', b: 'two' }));

    const answer = await createUndiciRequestLibrary().send(context).toPromise();

    expect(answer.httpStatusCode).toBe(200);
    expect(await answer.body.text()).toBe('{"ok":true}');
    expect(api.received[0]).toMatchObject({
      method: 'POST',
      body: 'a=1&b=two',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    });
  });
});
