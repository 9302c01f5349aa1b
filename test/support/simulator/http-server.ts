// The HTTP server: /__sim/... goes to the control API, everything else is a console call.
// stop() closes the listener and every connection, including the ones a fault keeps hanging,
// and cancels pending fault delays, so a test never waits on the simulator to shut down.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveConsoleCall, type TransportDeps } from './console-transport.ts';
import { type ControlDeps, handleControlCall } from './control-api.ts';

export interface SimulatorServer {
  url: string;
  close(): Promise<void>;
}

export type ServerDeps = Omit<TransportDeps, 'stopping'> & ControlDeps;

export async function listen(deps: ServerDeps, host: string, port: number): Promise<SimulatorServer> {
  const stopping = new AbortController();
  const transport: TransportDeps = { ...deps, stopping: stopping.signal };
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((rawBody) => {
        if ((req.url ?? '').startsWith('/__sim/')) return handleControlCall(deps, req, res, rawBody);
        return serveConsoleCall(transport, req, res, rawBody);
      })
      .catch((err: unknown) => {
        // A bug in the simulator: say so loudly rather than hang the client.
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(`simulator bug: ${(err as Error).stack ?? String(err)}`);
        } else {
          res.destroy();
        }
      });
  });
  // A client that gives up (timeout) resets its socket; that is expected, not an error.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
