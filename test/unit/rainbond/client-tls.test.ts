// The client against real HTTPS servers: certificate verification is always on, an extra CA makes
// a private console reachable, and every TLS failure means the request was never sent.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRainbondClient, type RainbondClient } from '../../../src/rainbond/client.ts';
import { RainbondError, RainbondNotSentError } from '../../../src/rainbond/errors.ts';
import { answer, startFakeConsole, startSilentServer } from './fake-console.ts';
import { SOURCE, serviceBaseInfo, TARGET, TOKEN } from './fixtures.ts';

interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

let dir: string;
let ca: KeyPair;
/** Signed by `ca`, naming 127.0.0.1 and localhost. */
let leaf: KeyPair;
/** Signed by `ca`, naming only console.example.com. */
let otherName: KeyPair;
/** Signs itself, naming 127.0.0.1. */
let selfSigned: KeyPair;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function signedLeaf(name: string, subjectAltName: string): KeyPair {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n`);
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
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
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rainbond-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Test Console CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ca = { key: readFileSync(join(dir, 'ca.key')), cert: readFileSync(join(dir, 'ca.pem')) };
  leaf = signedLeaf('console', 'IP:127.0.0.1,DNS:localhost');
  otherName = signedLeaf('other', 'DNS:console.example.com');
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
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
  selfSigned = { key: readFileSync(join(dir, 'self.key')), cert: readFileSync(join(dir, 'self.pem')) };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function httpsConsole(pair: KeyPair, caOption?: string | Buffer) {
  const fake = await startFakeConsole(
    (_request, response) => answer(response, 200, [serviceBaseInfo()]),
    pair,
  );
  const client: RainbondClient = createRainbondClient({
    baseUrl: fake.url,
    copyTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    ...(caOption === undefined ? {} : { ca: caOption }),
  });
  cleanups.push(
    () => fake.close(),
    () => client.close(),
  );
  return { fake, client, host: new URL(fake.url).host };
}

async function failureOf(promise: Promise<unknown>): Promise<RainbondError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RainbondError);
    return error as RainbondError;
  }
  throw new Error('expected the call to fail');
}

describe('an HTTPS console', () => {
  it('with a certificate from a private CA works once that CA is given, on a kept-alive connection', async () => {
    const { fake, client } = await httpsConsole(leaf, ca.cert.toString('utf8'));
    await expect(client.listComponents(TOKEN, TARGET)).resolves.toHaveLength(1);
    await expect(client.listComponents(TOKEN, TARGET)).resolves.toHaveLength(1);
    expect(fake.received.map((r) => r.headers.authorization)).toEqual([TOKEN, TOKEN]);
    expect(fake.connections()).toBe(1);
  });

  it('accepts the CA as a Buffer too', async () => {
    const { client } = await httpsConsole(leaf, ca.cert);
    await expect(client.listComponents(TOKEN, TARGET)).resolves.toHaveLength(1);
  });

  interface Case {
    name: string;
    pair: () => KeyPair;
    ca?: () => Buffer;
    message: (host: string) => string;
  }
  const cases: Case[] = [
    {
      name: 'with a self-signed certificate and no CA given is not sent, and the message says to set the CA file',
      pair: () => selfSigned,
      message: (host) =>
        `certificate verification failed for ${host}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); set the CA file setting (RAINBOND_CA_FILE) to the PEM of the CA that signed the console's certificate; nothing was sent`,
    },
    {
      name: 'with a certificate from a private CA that was not given is not sent, and the message says to set the CA file',
      pair: () => leaf,
      message: (host) =>
        `certificate verification failed for ${host}: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set the CA file setting (RAINBOND_CA_FILE) to the PEM of the CA that signed the console's certificate; nothing was sent`,
    },
    {
      name: 'whose certificate names another host is not sent, even with its CA given',
      pair: () => otherName,
      ca: () => ca.cert,
      message: (host) =>
        `certificate verification failed for ${host}: the certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID); use a console URL whose host the certificate names; nothing was sent`,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const { fake, client, host } = await httpsConsole(c.pair(), c.ca?.());
    const error = await failureOf(
      client.copyApp(TOKEN, SOURCE, {
        services: [],
        targetTeamName: 'o19p6wen',
        targetRegionName: 'rainbond',
        targetAppId: 34,
      }),
    );
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(error.message).toBe(c.message(host));
    expect(fake.received).toHaveLength(0);
  });

  it('that never completes the TLS handshake is not sent once the timeout expires while connecting', async () => {
    const silent = await startSilentServer();
    const client = createRainbondClient({
      baseUrl: `https://127.0.0.1:${silent.port}`,
      copyTimeoutMs: 200,
      requestTimeoutMs: 200,
      ca: ca.cert,
    });
    cleanups.push(
      () => silent.close(),
      () => client.close(),
    );
    const error = await failureOf(
      client.copyApp(TOKEN, SOURCE, {
        services: [],
        targetTeamName: 'o19p6wen',
        targetRegionName: 'rainbond',
        targetAppId: 34,
      }),
    );
    expect(error).toBeInstanceOf(RainbondNotSentError);
    expect(error.message).toBe(
      `timed out within 200 ms connecting to the console at 127.0.0.1:${silent.port} for the copy; nothing was sent`,
    );
  });
});
