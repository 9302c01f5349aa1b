// An HTTPS front for the console simulator (the simulator itself speaks plain HTTP): terminates
// TLS with a given certificate and relays each request to the simulator. Also makes the
// certificates with openssl: a private CA, a leaf it signed for 127.0.0.1, a leaf it signed for
// another host name, and a self-signed leaf for 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

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
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=AppCopy test console CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const signed = (name: string, san: string): KeyPair => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
    return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
  };
  const leaf = signed('console', 'IP:127.0.0.1');
  const otherHost = signed('other', 'DNS:console.example.com');
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  const selfSigned = { key: readFileSync(join(dir, 'self.key')), cert: readFileSync(join(dir, 'self.pem')) };
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    leaf,
    otherHost,
    selfSigned,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
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
