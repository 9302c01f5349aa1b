import { createConnection, createServer, type Server, type Socket } from 'node:net';

// A TCP proxy in front of the API server that can make the connections open right now go
// silent without closing them: the half-open connection a watch sees when a NAT entry or a
// load balancer drops it. TLS passes through untouched, so the client still talks to the
// real API server.

export interface FreezableProxy {
  /** host:port to put in a kubeconfig instead of the API server's. */
  port: number;
  /** Stops relaying bytes on every connection open now (in both directions); new connections work. */
  freezeOpenConnections(): number;
  /** A network partition: open connections freeze and new ones are accepted but never relayed. */
  partition(): void;
  close(): Promise<void>;
}

export async function startFreezableProxy(target: { host: string; port: number }): Promise<FreezableProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  let partitioned = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const pair = { client, upstream, frozen: partitioned };
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!pair.frozen) to.write(chunk);
      });
      from.on('end', () => {
        if (!pair.frozen) to.end();
      });
    };
    relay(client, upstream);
    relay(upstream, client);
    const teardown = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A frozen connection stays open until the client gives up on it, like a real dead peer.
    client.on('close', teardown);
    client.on('error', teardown);
    upstream.on('close', () => {
      if (!pair.frozen) teardown();
    });
    upstream.on('error', () => {
      if (!pair.frozen) teardown();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not bind');
  return {
    port: address.port,
    freezeOpenConnections() {
      for (const pair of pairs) pair.frozen = true;
      return pairs.size;
    },
    partition() {
      partitioned = true;
      for (const pair of pairs) pair.frozen = true;
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
