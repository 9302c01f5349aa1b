// The stand-in bases (scripts/image/stand-in-bases.sh) against what the real ones hold.
//
// The runtime base must provide what gcr.io/distroless/nodejs24-debian12:nonroot provides and the
// operator relies on, and nothing more. The list below is GoogleContainerTools/distroless at
// 860a5a99a756e382f90ff728bd9780db3ee1999f, the last commit that built Debian 12 Node images:
//   nodejs/nodejs.bzl            entrypoint ["/nodejs/bin/node"], on the cc image
//   private/extensions/node.bzl  of Node's release only output/bin/node and output/LICENSE, under /nodejs
//   nodejs/testdata/check_npm.yaml, check_headers.yaml   no npm, npx, corepack, no C headers
//   cc/config.bzl                libgomp1, libstdc++6, libgcc-s1, gcc-12-base
//   base/config.bzl              libc6, libssl3
//   static/config.bzl            base-files, netbase, tzdata, media-types
//   static/static.bzl            PATH, SSL_CERT_FILE; nonroot: user 65532, workdir /home/nonroot;
//                                /tmp 1777, nsswitch.conf, os-release, CA certificates
//   common/variables.bzl, common/BUILD.bazel   passwd, group, home directories (nonroot 65532)
//   base/testdata/base.yaml      the files a base must have, and passwd and group exactly
// The build base stands in for nodejs/docker-node's 24/bookworm-slim as far as the Dockerfile's
// build stage uses it: Debian 12, a shell for RUN, node and npm.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_NPM_VERSION,
  ensureBaseImages,
  ensureImageTools,
  lockedNodeVersion,
} from '../../../scripts/image/build.ts';
import { type ImageContents, readImage, runOnce, under } from '../../support/image/image-files.ts';

const RUNTIME_BASE = 'gcr.io/distroless/nodejs24-debian12:nonroot';
const BUILD_BASE = 'docker.io/library/node:24-bookworm-slim';
const DISTROLESS_PACKAGES = [
  'base-files',
  'netbase',
  'tzdata',
  'media-types',
  'libc6',
  'libssl3',
  'libgomp1',
  'libstdc++6',
  'libgcc-s1',
  'gcc-12-base',
];

beforeAll(async () => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await ensureImageTools(log);
  await ensureBaseImages(log);
}, 15 * 60_000);

describe('the stand-in for gcr.io/distroless/nodejs24-debian12:nonroot', () => {
  let image: ImageContents;
  beforeAll(() => {
    image = readImage(RUNTIME_BASE);
  });
  afterAll(() => image?.dispose());

  it('is a stand-in, labelled so, and runs Node from /nodejs/bin/node as 65532 in /home/nonroot', () => {
    expect(image.config.Labels?.['org.appcopy.stand-in']).toMatch(/^[0-9a-f]{16}$/);
    expect(image.config.Entrypoint).toEqual(['/nodejs/bin/node']);
    expect(image.config.Cmd ?? null).toBeNull();
    expect(image.config.User).toBe('65532');
    expect(image.config.WorkingDir).toBe('/home/nonroot');
    expect(image.config.Env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
    ]);
    const ran = runOnce(RUNTIME_BASE, [
      '-e',
      'console.log(process.version, process.getuid(), process.getgid(), process.cwd())',
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe(`v${lockedNodeVersion()} 65532 65532 /home/nonroot`);
  });

  it('holds of Node only its binary and licence: no npm, npx, corepack or C headers', () => {
    expect(under(image, '/nodejs', ['file', 'symlink', 'hardlink'])).toEqual(['LICENSE', 'bin/node']);
    expect(image.files.get('/nodejs/bin/node')?.mode).toBe(0o755);
  });

  it('has distroless’ users, groups and home directories', () => {
    expect(image.read('/etc/passwd')).toBe(
      'root:x:0:0:root:/root:/sbin/nologin\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' +
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
    );
    expect(image.read('/etc/group')).toBe(
      'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n',
    );
    const dir = (path: string) => {
      const f = image.files.get(path);
      return f && { type: f.type, mode: f.mode.toString(8), owner: `${f.uid}:${f.gid}` };
    };
    expect(dir('/home/nonroot')).toEqual({ type: 'dir', mode: '700', owner: '65532:65532' });
    expect(dir('/root')).toEqual({ type: 'dir', mode: '700', owner: '0:0' });
    expect(dir('/home')).toEqual({ type: 'dir', mode: '755', owner: '0:0' });
    expect(dir('/tmp')).toEqual({ type: 'dir', mode: '1777', owner: '0:0' });
  });

  it('has CA certificates, time zones and the other files of distroless’ base', () => {
    const bundle = image.read('/etc/ssl/certs/ca-certificates.crt');
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length).toBeGreaterThan(100);
    for (const path of [
      '/usr/share/doc/ca-certificates/copyright',
      '/usr/share/zoneinfo/Europe/Berlin',
      '/usr/share/zoneinfo/Asia/Shanghai',
      '/usr/share/doc/tzdata/copyright',
      '/etc/services',
      '/etc/mime.types',
      '/etc/nsswitch.conf',
    ])
      expect(image.files.has(path), path).toBe(true);
    expect(image.files.get('/etc/os-release')?.target).toBe('../usr/lib/os-release');
    expect(image.read('/usr/lib/os-release')).toMatch(/^PRETTY_NAME="Distroless"$/m);
    expect(image.read('/usr/lib/os-release')).toMatch(/^VERSION="Debian GNU\/Linux 12 \(bookworm\)"$/m);
    // Node finds the bundle, and the time zones through ICU: the operator relies on both.
    const ran = runOnce(RUNTIME_BASE, [
      '-e',
      `const tls = require('node:tls');
       console.log(tls.getCACertificates('system').length > 100,
         new Date(0).toLocaleString('en-US', { timeZone: 'Asia/Shanghai' }));`,
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe('true 1/1/1970, 8:00:00 AM');
  });

  it('holds the Debian packages distroless unpacks, and no other', () => {
    expect(under(image, '/var/lib/dpkg/status.d').sort()).toEqual([...DISTROLESS_PACKAGES].sort());
    expect(image.read('/var/lib/dpkg/status.d/libc6')).toMatch(/^Package: libc6$/m);
    // Not dpkg's database: nothing a package manager could work with.
    expect(image.files.has('/var/lib/dpkg/status')).toBe(false);
  });

  it('has no shell, no package manager and no program but node', () => {
    const names = [...image.files.values()]
      .filter((f) => f.type !== 'dir')
      .map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
    for (const program of [
      'sh',
      'bash',
      'dash',
      'ash',
      'busybox',
      'apt',
      'apt-get',
      'dpkg',
      'npm',
      'npx',
      'corepack',
      'env',
    ])
      expect(names, program).not.toContain(program);
    for (const dir of ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin'])
      expect(under(image, dir, ['file', 'symlink', 'hardlink']), dir).toEqual([]);
    // What is executable: node, the dynamic loader and shared libraries, and base-files' motd
    // script, which nothing can run without a shell.
    const executables = [...image.files.values()]
      .filter((f) => f.type === 'file' && (f.mode & 0o111) !== 0)
      .map((f) => f.path)
      .filter(
        (p) => p !== '/nodejs/bin/node' && !/\.so(\.|$)/.test(p) && !p.startsWith('/etc/update-motd.d/'),
      );
    expect(executables).toEqual([]);
    expect(runOnce(RUNTIME_BASE, ['-c', 'true'], { entrypoint: '/bin/sh' }).status).not.toBe(0);
  });
});

describe('the stand-in for node:24-bookworm-slim', () => {
  it('is Debian 12 with a shell, Node and npm at the versions the real image pairs', () => {
    const labels = JSON.parse(
      spawnSync('podman', ['image', 'inspect', '--format', '{{json .Labels}}', BUILD_BASE], {
        encoding: 'utf8',
      }).stdout,
    ) as Record<string, string>;
    expect(labels['org.appcopy.stand-in']).toMatch(/^[0-9a-f]{16}$/);
    const ran = runOnce(BUILD_BASE, [
      'sh',
      '-c',
      '. /etc/os-release; echo "$VERSION_ID $(node --version) $(npm --version) $(id -u node)"',
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe(`12 v${lockedNodeVersion()} ${BUNDLED_NPM_VERSION} 1000`);
  });
});
