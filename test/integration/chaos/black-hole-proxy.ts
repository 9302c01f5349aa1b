// A TCP proxy in front of the API server that can cut the network and heal it the way real
// networks do: while cut, every open connection and every new one goes silent (nothing relayed,
// nothing closed: a black hole); after healing, new connections work again, but the ones that
// went silent stay dead until the client gives up on them, like connections whose NAT entry was
// lost. TLS passes through untouched.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface BlackHoleProxy {
  /** host:port to put in a kubeconfig instead of the API server's. */
  port: number;
  /** Every open connection goes silent for good; new ones are accepted and go nowhere. */
  cut(): number;
  /** New connections are relayed again; the silent ones stay silent. */
  heal(): void;
  close(): Promise<void>;
}

export async function startBlackHoleProxy(target: { host: string; port: number }): Promise<BlackHoleProxy> {
  const sockets = new Set<Socket>();
  const live = new Set<{ dead: boolean }>();
  let cut = false;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (cut) return; // accepted, never relayed
    const pair = { dead: false };
    live.add(pair);
    const upstream = createConnection(target);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!pair.dead) to.write(chunk);
      });
      from.on('end', () => {
        if (!pair.dead) to.end();
      });
    };
    relay(client, upstream);
    relay(upstream, client);
    const teardown = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', teardown);
    upstream.on('error', () => {
      if (!pair.dead) teardown();
    });
    upstream.on('close', () => {
      if (!pair.dead) teardown();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not bind');
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const pair of live) pair.dead = true;
      return live.size;
    },
    heal() {
      cut = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
