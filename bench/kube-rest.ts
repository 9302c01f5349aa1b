// The benchmark's own way to the API server: plain REST over one keep-alive agent, so that
// seeding 10,000 AppCopies or watching 1,000 of them costs the machine as little as possible
// and never competes with the operator under test for more than it must. Credentials come from
// the kubeconfig through client-node, read once.
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface KubeRest {
  /** One JSON request; the answer's body is parsed (undefined when empty or not JSON). */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<KubeAnswer<T>>;
  /** A GET whose answer is returned as text (the API server's /metrics). */
  text(path: string): Promise<string>;
  /**
   * Streams a watch (`path` must carry watch=1) line by line into `onEvent` until the server
   * ends it or `signal` aborts.
   */
  watch(path: string, onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void>;
  close(): void;
}

export async function createKubeRest(kubeconfigPath: string, maxSockets = 64): Promise<KubeRest> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${kubeconfigPath} has no current cluster`);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const server = new URL(cluster.server);
  const secure = server.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert } : {}),
        ...(options.key ? { key: options.key } : {}),
        ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
      })
    : new http.Agent({ keepAlive: true, maxSockets });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name] = String(value);
  }
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const base = cluster.server.replace(/\/+$/, '');

  function send(
    method: string,
    path: string,
    body: string | undefined,
    accept: string,
    signal?: AbortSignal,
    contentType = 'application/json',
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        `${base}${path}`,
        {
          method,
          agent,
          headers: {
            ...headers,
            accept,
            ...(body !== undefined
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }
              : {}),
          },
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  async function readAll(response: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  return {
    async request<T>(method: string, path: string, body?: unknown, contentType?: string) {
      const response = await send(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        'application/json',
        undefined,
        contentType,
      );
      const text = await readAll(response);
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode ?? 0, body: parsed as T };
    },
    async text(path) {
      const response = await send('GET', path, undefined, 'text/plain');
      const text = await readAll(response);
      if (response.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${response.statusCode}: ${text}`);
      return text;
    },
    async watch(path, onEvent, signal) {
      let response: http.IncomingMessage;
      try {
        response = await send('GET', path, undefined, 'application/json', signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      if (response.statusCode !== 200) {
        throw new Error(`watch ${path}: HTTP ${response.statusCode}: ${await readAll(response)}`);
      }
      let buffer = '';
      try {
        for await (const chunk of response) {
          buffer += (chunk as Buffer).toString('utf8');
          for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim() === '') continue;
            const event = JSON.parse(line) as { type: string; object: unknown };
            onEvent(event.type, event.object);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
    },
    close() {
      agent.destroy();
    },
  };
}

/** The API server answered something other than what the benchmark needs. */
export function expectStatus(answer: KubeAnswer, expected: number[], what: string): void {
  if (!expected.includes(answer.status)) {
    throw new Error(`${what}: HTTP ${answer.status}: ${JSON.stringify(answer.body)?.slice(0, 500)}`);
  }
}
