import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ControlPlaneError,
  ensureControlPlaneBinaries,
  startControlPlane,
} from '../../support/control-plane/control-plane.ts';
import { processesMentioning } from '../../support/control-plane/process-table.ts';

// Each failure must give one ControlPlaneError naming the cause and leave nothing behind: the
// control plane gets a private parent directory, which must end up empty with no process naming it.
const scratch: string[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-start-errors-'));
  scratch.push(dir);
  return dir;
}
async function rejection(promise: Promise<unknown>): Promise<ControlPlaneError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ControlPlaneError);
  return error as ControlPlaneError;
}
function expectNothingLeftIn(dir: string): void {
  expect(readdirSync(dir)).toEqual([]);
  expect(processesMentioning(dir)).toEqual([]);
}

describe('starting a control plane fails clearly and cleanly when', () => {
  it('Go is missing and nothing is cached: GO_MISSING says to install Go', async () => {
    const cacheDir = scratchDir();
    const error = await rejection(
      ensureControlPlaneBinaries({ cacheDir, env: { PATH: scratchDir(), HOME: cacheDir } }),
    );
    expect(error.code).toBe('GO_MISSING');
    expect(error.message).toMatch(/Go is not on PATH/);
    expect(error.message).toMatch(/Install Go 1\.25 or newer/);
    expectNothingLeftIn(cacheDir);
  });

  it('the build fails: BUILD_FAILED carries the build script’s own diagnosis and its log', async () => {
    const cacheDir = scratchDir();
    const script = join(scratchDir(), 'failing-build.sh');
    writeFileSync(
      script,
      'echo "[control-plane build] step 1/4: reading go.mod" >&2\n' +
        'echo "[control-plane build] error: could not download k8s.io/kubernetes@v1.37.2 from the Go module proxy" >&2\n' +
        'exit 1\n',
    );
    chmodSync(script, 0o755);
    const progress: string[] = [];
    const error = await rejection(
      ensureControlPlaneBinaries({ cacheDir, buildScript: script, log: (line) => progress.push(line) }),
    );
    expect(error.code).toBe('BUILD_FAILED');
    expect(error.message).toContain('could not download k8s.io/kubernetes@v1.37.2 from the Go module proxy');
    expect(error.message).toContain(join(cacheDir, 'k8s-v1.37.2-etcd-v3.6.16.build.log'));
    expect(progress[0]).toBe('[control-plane build] step 1/4: reading go.mod');
    expect(readdirSync(cacheDir)).toEqual(['k8s-v1.37.2-etcd-v3.6.16.build.log']);
  });

  it('a version is malformed: INVALID_VERSION before anything runs', async () => {
    const error = await rejection(ensureControlPlaneBinaries({ versions: { kubernetes: '1.37' } }));
    expect(error.code).toBe('INVALID_VERSION');
    expect(error.message).toContain('"1.37"');
  });

  it('the requested API server port is taken: PORT_IN_USE names the port', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const tmpDir = scratchDir();

    const error = await rejection(startControlPlane({ apiServerPort: port, tmpDir }));
    expect(error.code).toBe('PORT_IN_USE');
    expect(error.message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expectNothingLeftIn(tmpDir);
  });

  it('etcd exits during start-up: ETCD_EXITED shows the end of its log', async () => {
    const tmpDir = scratchDir();
    const error = await rejection(startControlPlane({ etcdArgs: ['--no-such-flag'], tmpDir }));
    expect(error.code).toBe('ETCD_EXITED');
    expect(error.message).toMatch(/^etcd exited \(code \d+\)/);
    expect(error.message).toContain('no-such-flag');
    expectNothingLeftIn(tmpDir);
  });

  it('kube-apiserver exits during start-up: API_SERVER_EXITED, and etcd is stopped too', async () => {
    const tmpDir = scratchDir();
    const error = await rejection(startControlPlane({ apiServerArgs: ['--no-such-flag'], tmpDir }));
    expect(error.code).toBe('API_SERVER_EXITED');
    expect(error.message).toContain('no-such-flag');
    expectNothingLeftIn(tmpDir);
  });
});
