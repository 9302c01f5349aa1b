import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

// One small HTTP server for the kubelet's probes and Prometheus: /healthz (liveness), /readyz
// (readiness) and /metrics.

/** true = healthy; false or a string (the reason) = failing. */
export type HealthCheck = () => boolean | string;

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (see the returned `port`). */
  port: number;
  registry: Registry;
  checks: { healthz: HealthCheck; readyz: HealthCheck };
}

export interface HealthServer {
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  // Probes and scrapes are short; a stuck client must not hold a socket forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HealthServerOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/healthz':
      return probe(res, opts.checks.healthz);
    case '/readyz':
      return probe(res, opts.checks.readyz);
    case '/metrics': {
      const body = await opts.registry.metrics();
      res.writeHead(200, { 'Content-Type': opts.registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    default:
      send(res, 404, 'not found');
  }
}

function probe(res: ServerResponse, check: HealthCheck): void {
  let result: boolean | string;
  try {
    result = check();
  } catch (err) {
    result = `check threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (result === true) send(res, 200, 'ok');
  else send(res, 503, result === false ? 'not ok' : result);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
