import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago. Another process may still take it first. */
export async function pickFreePort(): Promise<number> {
  return listenOnce(0);
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
export async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw error;
  }
}

async function listenOnce(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Whether a process log says it could not bind its port (Go's wording). */
export function mentionsAddressInUse(log: string): boolean {
  return /address already in use/i.test(log);
}
