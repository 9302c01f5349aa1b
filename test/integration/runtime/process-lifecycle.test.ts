import { execFile } from 'node:child_process';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

function runNode(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

// Each component in a process of its own, against the real API server.
describe('runtime components in a real process', () => {
  it('leave nothing running once stopped: the process exits by itself', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-proc');
    await kc
      .makeApiClient(CoreV1Api)
      .createNamespacedConfigMap({ namespace, body: { metadata: { name: 'one' } } });
    const result = await runNode([fixture('start-and-stop.ts'), inject('kubeconfigPath'), namespace], 60_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      stopped: true,
      processed: [`${namespace}/one`],
      released: true,
    });
  });

  // The whole process sits at ~150 MB RSS before listing anything (Node ~40, the TypeScript
  // loader ~17, importing client-node ~85); this checks what the informer adds on top.
  it('caches 10,000 objects (listed in pages, each slimmed as it arrives) in a few MB of heap', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-mem');
    const core = kc.makeApiClient(CoreV1Api);
    // ~2 KB each, the size of a typical custom resource with status and managed fields.
    const total = 10_000;
    let next = 0;
    const create = async () => {
      while (next < total) {
        const i = next++;
        await core.createNamespacedConfigMap({
          namespace,
          body: {
            metadata: { name: `obj-${i}`, labels: { app: 'memory-test', index: String(i) } },
            data: { phase: 'Succeeded', spec: 'x'.repeat(1500) },
          },
        });
      }
    };
    await Promise.all(Array.from({ length: 16 }, create));

    const result = await runNode(
      ['--expose-gc', fixture('informer-memory.ts'), inject('kubeconfigPath'), namespace],
      90_000,
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as {
      objects: number;
      baselineRssMB: number;
      rssMB: number;
      peakRssMB: number;
      retainedHeapMB: number;
    };
    process.stderr.write(`[runtime memory] ${result.stdout}`);
    expect(report.objects).toBe(total);
    // Holding the raw objects instead of the slim ones would retain ~25 MB more.
    expect(report.retainedHeapMB).toBeLessThan(10);
    expect(report.peakRssMB - report.baselineRssMB).toBeLessThan(75);
  }, 180_000);
});
