// An HTTPS front for the console simulator (the simulator itself speaks plain HTTP): terminates
// TLS with a given certificate and relays each request to the simulator. Also the certificates
// the TLS tests use (test/support/tls-certificates.ts makes them with openssl): a private CA, a
// leaf it signed for 127.0.0.1, a leaf it signed for another host name, and a self-signed leaf
// for 127.0.0.1.
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTestCertificates, type KeyPair } from '../../support/tls-certificates.ts';

export type { KeyPair };

export interface Certificates {
  dir: string;
  /** Path of the CA's PEM (what RAINBOND_CA_FILE names). */
  caFile: string;
  /** Signed by the CA, naming 127.0.0.1. */
  leaf: KeyPair;
  /** Signed by the CA, naming only console.example.com. */
  otherHost: KeyPair;
  /** Signed by itself, naming 127.0.0.1. */
  selfSigned: KeyPair;
  remove(): void;
}

export function makeCertificates(): Certificates {
  const certs = createTestCertificates({ hosts: ['127.0.0.1'] });
  try {
    return {
      dir: certs.dir,
      caFile: certs.caFile,
      leaf: certs.leaf,
      otherHost: certs.issue(['console.example.com']),
      selfSigned: certs.selfSigned(['127.0.0.1']),
      remove: certs.cleanup,
    };
  } catch (error) {
    certs.cleanup();
    throw error;
  }
}

export interface HttpsFront {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Requests that completed a TLS handshake and reached the relay. */
  relayed: number;
  close(): Promise<void>;
}

export async function startHttpsFront(pair: KeyPair, upstreamUrl: string): Promise<HttpsFront> {
  const upstream = new URL(upstreamUrl);
  const front = { relayed: 0 };
  const server: Server = createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    front.relayed += 1;
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  // Handshakes the client refuses end in errors here; they are the point of the tests.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get relayed() {
      return front.relayed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
