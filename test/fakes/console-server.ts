// A real HTTP(S) server on 127.0.0.1 that answers however a test tells it to, and records what
// it received. Network code is tested against this, not against mocks.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (
  request: ReceivedRequest,
  response: http.ServerResponse,
  raw: http.IncomingMessage,
) => void;

export interface FakeConsole {
  /** Base URL to give the client, e.g. http://127.0.0.1:41234 */
  url: string;
  received: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections: () => number;
  /** Connections currently open. */
  openConnections: () => number;
  close: () => Promise<void>;
}

export async function startFakeConsole(
  handler: Handler,
  tls?: { key: string | Buffer; cert: string | Buffer },
): Promise<FakeConsole> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const listener: http.RequestListener = (raw, response) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const request: ReceivedRequest = {
        method: raw.method ?? '',
        url: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      handler(request, response, raw);
    });
  };
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, listener)
    : http.createServer(listener);
  server.on(tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (tls) server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    connections: () => accepted,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Answers with a status, a JSON (or raw string) body and optional headers. */
export function answer(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json';
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** A TCP port on 127.0.0.1 with nothing listening on it. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A raw TCP server that accepts connections and never says a word (not even a TLS handshake). */
export async function startSilentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
