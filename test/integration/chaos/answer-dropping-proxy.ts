// An HTTPS proxy in front of the API server that can lose answers: it terminates TLS with a
// certificate of its own CA (the kubeconfig it writes trusts that CA), forwards every request
// to the API server with its own headers (the bearer token included), and relays the answers,
// except for requests marked to be swallowed: those reach the API server and take effect, but
// their answer never comes back and the connection stays open, silent, the way a connection
// whose NAT entry was dropped behaves. Watches stream through as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { makeCertificates } from '../security/https-front.ts';

export interface AnswerDroppingProxy {
  /** A kubeconfig that reaches the API server through this proxy. */
  kubeconfigPath: string;
  /** The next request matching `match` reaches the API server, and its answer is lost. */
  swallowNext(match: (method: string, path: string) => boolean): Promise<{ method: string; path: string }>;
  close(): Promise<void>;
}

/** `kc`: a kubeconfig of the API server (server, CA data and a bearer token). */
export async function startAnswerDroppingProxy(kc: KubeConfig): Promise<AnswerDroppingProxy> {
  const certs = makeCertificates();
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caData) throw new Error('the kubeconfig needs a current cluster with CA data');
  const upstream = new URL(cluster.server);
  const upstreamCa = Buffer.from(cluster.caData, 'base64');
  const swallow: {
    match: (method: string, path: string) => boolean;
    done: (r: { method: string; path: string }) => void;
  }[] = [];
  const server: Server = createServer({ key: certs.leaf.key, cert: certs.leaf.cert }, (req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const index = swallow.findIndex((s) => s.match(method, path));
    const swallowed = index >= 0 ? swallow.splice(index, 1)[0] : undefined;
    const forward = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path,
        headers: { ...req.headers, host: upstream.host },
        ca: upstreamCa,
      },
      (answer) => {
        if (swallowed) {
          // It took effect; the caller never hears so, and its connection stays open.
          answer.resume();
          swallowed.done({ method, path });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const proxied = new KubeConfig();
  proxied.loadFromString(kc.exportConfig());
  const caData = readFileSync(certs.caFile).toString('base64');
  proxied.clusters = proxied.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}`, caData, caFile: undefined } : c,
  );
  const kubeconfigPath = join(certs.dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, proxied.exportConfig());

  return {
    kubeconfigPath,
    swallowNext(match) {
      return new Promise((done) => swallow.push({ match, done }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          certs.remove();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
