// `--operator container`: the operator as shipped, its image (scripts/image/build.ts) run with
// podman under deploy/base's pod spec (test/support/image/operator-container.ts: the user,
// read-only root, no capabilities, the 512Mi / 1 CPU limits, the /tmp emptyDir), in a cgroup of
// its own. The settings are the ones the process gets (operator-under-test.ts), so the two
// differ only in what runs: the image's Node and bundle, started by the runtime. Memory is read
// both ways: the process's VmRSS and the container cgroup's usage and working set.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startOperatorContainer } from '../test/support/image/operator-container.ts';
import type { Manifest } from '../test/support/tools/helm-chart.ts';
import { freePort, type OperatorUnderTest, type OperatorUnderTestOptions } from './operator-under-test.ts';
import { cgroupMemoryOf, memoryOf } from './process-stats.ts';
import { parsePrometheusText } from './prometheus-text.ts';

export async function startContainerUnderTest(
  opts: OperatorUnderTestOptions & { image: string },
): Promise<OperatorUnderTest> {
  if (opts.profileDir) throw new Error('--profile profiles the process; it cannot reach into the image');
  const deployment = parse(readFileSync(join(opts.root, 'deploy/base/deployment.yaml'), 'utf8')) as Manifest;
  const healthPort = await freePort();
  const spawnedAt = performance.now();
  const container = startOperatorContainer({
    objects: [deployment],
    image: opts.image,
    kubeconfigPath: opts.kubeconfigPath,
    env: {
      RAINBOND_URL: opts.rainbondUrl,
      RAINBOND_TOKEN: opts.token,
      WATCH_NAMESPACES: opts.namespace,
      CONCURRENCY: String(opts.concurrency),
      FOLLOW_TIMEOUT: opts.followTimeout,
      LOG_LEVEL: opts.logDir ? 'debug' : 'info',
      ...opts.env,
    },
    overrides: { HEALTH_PORT: String(healthPort) },
  });
  const base = `http://127.0.0.1:${healthPort}`;
  let state: { pid: number; cgroupPath: string } | undefined;
  const where = () => {
    if (!state) throw new Error('the container is not ready yet');
    return state;
  };
  return {
    get pid() {
      return where().pid;
    },
    spawnedAt,
    // pino: 40 warn, 50 error, 60 fatal.
    get problems() {
      return container.logs.filter((line) => line.level >= 40);
    },
    async ready(timeoutMs = 60_000) {
      const deadline = spawnedAt + timeoutMs;
      while (performance.now() < deadline) {
        if (container.child.exitCode !== null) {
          throw new Error(`the container exited before it was ready:\n${container.output().slice(-4000)}`);
        }
        const answered = await fetch(`${base}/readyz`)
          .then(async (r) => {
            await r.arrayBuffer();
            return r.status === 200;
          })
          .catch(() => false);
        if (answered) {
          const at = performance.now();
          state = await container.inspect();
          return at;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(
        `the container was not ready within ${timeoutMs} ms:\n${container.output().slice(-4000)}`,
      );
    },
    async metrics() {
      return parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    },
    memory: () => memoryOf(where().pid),
    cgroupMemory: () => cgroupMemoryOf(where().cgroupPath),
    async heapSnapshot() {
      // Not in the image: see the profileDir check above.
    },
    async stop() {
      await container.stop();
      if (opts.logDir) writeFileSync(`${opts.logDir}/${opts.label}.log`, container.output());
      await container.remove();
    },
  };
}
