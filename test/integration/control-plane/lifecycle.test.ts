import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../support/control-plane/control-plane.ts';
import { probe } from '../../support/control-plane/http-probe.ts';
import { isProcessAlive } from '../../support/control-plane/process-alive.ts';
import { processesMentioning } from '../../support/control-plane/process-table.ts';
import { removeAbandonedRunDirs, runDirPrefix } from '../../support/control-plane/run-dir.ts';
import { eventually } from '../../support/eventually.ts';

// These tests start control planes of their own: stopping or restarting the shared one would
// break the tests running beside them.
const started: ControlPlane[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((controlPlane) => controlPlane.stop()));
});
async function start(): Promise<ControlPlane> {
  const controlPlane = await startControlPlane();
  started.push(controlPlane);
  return controlPlane;
}

const pending = Symbol('pending');
const settledValue = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise((r) => setImmediate(r, pending))]);

describe('a local control plane', () => {
  it('serves /readyz and namespaces, and stopping it leaves no process and no directory', async () => {
    const controlPlane = await start();

    const readyz = await probe(`${controlPlane.server}/readyz`, {
      ca: controlPlane.caData,
      bearerToken: controlPlane.adminToken,
    });
    expect(readyz).toEqual({ status: 200, body: 'ok' });
    const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'lifecycle' } } });
    expect((await core.readNamespace({ name: 'lifecycle' })).status?.phase).toBe('Active');

    const { apiServer, etcd, watchdogs } = controlPlane.processIds();
    const pids = [apiServer, etcd, ...watchdogs];
    expect(pids.every(isProcessAlive)).toBe(true);
    await controlPlane.stop();
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(processesMentioning(controlPlane.runDir)).toEqual([]);
    expect(existsSync(controlPlane.runDir)).toBe(false);
    await controlPlane.stop(); // idempotent
    expect(await settledValue(controlPlane.failure)).toBe(pending); // a stop is not a failure
  });

  it('restarts kube-apiserver on the same port with its data, gracefully or after a crash', async () => {
    const controlPlane = await start();
    const kc = controlPlane.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kept' } } });
    const before = controlPlane.processIds();

    await controlPlane.restartApiServer();
    await controlPlane.restartApiServer({ signal: 'SIGKILL' });

    const after = controlPlane.processIds();
    expect(after.apiServer).not.toBe(before.apiServer);
    expect(isProcessAlive(before.apiServer)).toBe(false);
    expect(after.etcd).toBe(before.etcd);
    // The same client, URL and CA keep working: data and certificates survived.
    expect((await core.readNamespace({ name: 'kept' })).metadata?.name).toBe('kept');
    expect(await settledValue(controlPlane.failure)).toBe(pending);
  });

  it('reports an etcd crash through `failure`, naming etcd', async () => {
    const controlPlane = await start();
    process.kill(controlPlane.processIds().etcd, 'SIGKILL');
    const failure = await controlPlane.failure;
    expect(failure.code).toBe('ETCD_EXITED');
    expect(failure.message).toMatch(/^etcd exited \(signal SIGKILL\)/);
  });

  it('dies with its owner: a SIGKILLed owner leaves no process and no directory', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hold-control-plane.ts', import.meta.url));
    const owner = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let output = '';
      owner.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('\n')) resolve(output.split('\n')[0]!);
      });
      owner.once('exit', (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    const { runDir, pids } = JSON.parse(line) as { runDir: string; pids: number[] };
    expect(pids.every(isProcessAlive)).toBe(true);

    owner.kill('SIGKILL');

    await eventually(
      () => !(pids.some(isProcessAlive) || processesMentioning(runDir).length > 0 || existsSync(runDir)),
      {
        what: 'the control plane to leave nothing behind',
        timeoutMs: 15_000,
        onTimeout: () =>
          new Error(
            `left behind: pids ${pids.filter(isProcessAlive).join(', ') || 'none'}, dir ${existsSync(runDir) ? runDir : 'gone'}`,
          ),
      },
    );
  });

  it('removes run directories whose owner died before its watchdogs started, and only those', () => {
    const tmpDir = mkdtempSync(join(tmpdir(), 'appcopy-abandoned-'));
    try {
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
      for (const [name, owner] of [
        ['dead', deadPid],
        ['alive', process.pid],
      ] as const) {
        mkdirSync(join(tmpDir, `${runDirPrefix}${name}`));
        writeFileSync(join(tmpDir, `${runDirPrefix}${name}`, 'owner.pid'), `${owner}\n`);
      }
      mkdirSync(join(tmpDir, `${runDirPrefix}unowned`)); // being created right now, perhaps

      expect(removeAbandonedRunDirs(tmpDir)).toEqual([join(tmpDir, `${runDirPrefix}dead`)]);
      expect(readdirSync(tmpDir).sort()).toEqual([`${runDirPrefix}alive`, `${runDirPrefix}unowned`]);
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  });
});
