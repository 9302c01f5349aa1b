// Certificates for tests that talk TLS, made with the openssl CLI in a temporary directory: a
// private CA, a leaf it signed for the given hosts, and on demand more leaves of that CA (e.g.
// naming another host) or self-signed ones. EC P-256 keys, valid for 2 days.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCertificates {
  /** The temporary directory holding every file; `cleanup` removes it. */
  dir: string;
  /** The CA's certificate (PEM), what a client is given to trust. */
  caPem: string;
  /** Path of `caPem`. */
  caFile: string;
  /** Signed by the CA, naming the hosts given. */
  leaf: KeyPair;
  /** Another certificate signed by the CA, naming `hosts`. */
  issue(hosts: string[]): KeyPair;
  /** A certificate that signs itself, naming `hosts`. */
  selfSigned(hosts: string[]): KeyPair;
  cleanup(): void;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** subjectAltName entries: IP:… for addresses, DNS:… for names. */
function subjectAltName(hosts: string[]): string {
  if (hosts.length === 0) throw new Error('a certificate needs at least one host');
  return hosts.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
}

/** `hosts`: what the leaf names, e.g. ['127.0.0.1', 'localhost']. */
export function createTestCertificates(options: { hosts: string[] }): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (name: string): KeyPair => ({
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
  });
  let files = 0;

  const issue = (hosts: string[]): KeyPair => {
    const name = `leaf-${++files}`;
    writeFileSync(
      join(dir, `${name}.ext`),
      `subjectAltName=${subjectAltName(hosts)}\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      'req',
      '-new',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${hosts[0]}`,
    );
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
    return read(name);
  };

  const selfSigned = (hosts: string[]): KeyPair => {
    const name = `self-${++files}`;
    openssl(
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${hosts[0]}`,
      '-addext',
      `subjectAltName=${subjectAltName(hosts)}`,
    );
    return read(name);
  };

  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    openssl(
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=AppCopy test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    return {
      dir,
      caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      caFile: join(dir, 'ca.pem'),
      leaf: issue(options.hosts),
      issue,
      selfSigned,
      cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}
