// The client against real HTTPS servers: certificate verification is always on, an extra CA makes
// a private console reachable, and every TLS failure means the request was never sent.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRainbondClient, type RainbondClient } from '../../../src/rainbond/client.ts';
import { RainbondError, RainbondNotSentError } from '../../../src/rainbond/errors.ts';
import { answer, startFakeConsole, startSilentServer } from '../../fakes/console-server.ts';
import {
  createTestCertificates,
  type KeyPair,
  type TestCertificates,
} from '../../support/tls-certificates.ts';
import { SOURCE, serviceBaseInfo, TARGET, TOKEN } from './fixtures.ts';

/** A private CA, and `certs.leaf` signed by it, naming 127.0.0.1 and localhost. */
let certs: TestCertificates;
/** Signed by the CA, naming only console.example.com. */
let otherName: KeyPair;
/** Signs itself, naming 127.0.0.1. */
let selfSigned: KeyPair;

beforeAll(() => {
  certs = createTestCertificates({ hosts: ['127.0.0.1', 'localhost'] });
  otherName = certs.issue(['console.example.com']);
  selfSigned = certs.selfSigned(['127.0.0.1']);
});

afterAll(() => certs?.cleanup());

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
    const { fake, client } = await httpsConsole(certs.leaf, certs.caPem);
    await expect(client.listComponents(TOKEN, TARGET)).resolves.toHaveLength(1);
    await expect(client.listComponents(TOKEN, TARGET)).resolves.toHaveLength(1);
    expect(fake.received.map((r) => r.headers.authorization)).toEqual([TOKEN, TOKEN]);
    expect(fake.connections()).toBe(1);
  });

  it('accepts the CA as a Buffer too', async () => {
    const { client } = await httpsConsole(certs.leaf, Buffer.from(certs.caPem));
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
      pair: () => certs.leaf,
      message: (host) =>
        `certificate verification failed for ${host}: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set the CA file setting (RAINBOND_CA_FILE) to the PEM of the CA that signed the console's certificate; nothing was sent`,
    },
    {
      name: 'whose certificate names another host is not sent, even with its CA given',
      pair: () => otherName,
      ca: () => Buffer.from(certs.caPem),
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
      ca: Buffer.from(certs.caPem),
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
