// What one API request costs the operator's side, by the HttpLibrary its client-node clients
// send with: client-node's default (undici's fetch()) against the operator's
// (createUndiciRequestLibrary, undici's request()), both over PooledKubeConfig's one connection.
// One request at a time, so the figures are per request: the operator's CPU and the wall time,
// for a fresh GET and for a status write (PUT), the two requests of the copy's path.
//
// With --idle MS each request follows MS of idleness instead of the previous answer: the wall
// time of a request on a machine that was resting, as the intent (after the console's reads) and
// the outcome (after the copy call) are.
//
//   node bench/probes/api-client-cost.ts [--n 2000] [--idle 0]

import { setTimeout as sleep } from 'node:timers/promises';
import {
  CustomObjectsApi,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { PooledKubeConfig } from '../../packages/kube-runtime/src/pooled-kube-config.ts';
import { type AppCopy, GROUP, VERSION } from '../../src/api/appcopy.ts';
import { createAppCopyStore } from '../../src/k8s/appcopy-store.ts';
import { startControlPlane } from '../../test/support/control-plane/control-plane.ts';
import { createKubeRest, expectStatus } from '../kube-rest.ts';
import { median, percentile } from '../stats.ts';
import { createNamespace, ensureCrd, finishedStatus, manifest } from '../workload.ts';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const idleMs = option('--idle', 0);
const n = option('--n', idleMs > 0 ? 100 : 2000);
const plane = await startControlPlane();
const kube = await createKubeRest(plane.kubeconfigPath);
try {
  await ensureCrd(kube);
  const namespace = await createNamespace(kube, 'client-cost');
  const collection = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/appcopies`;
  const created = await kube.request('POST', collection, manifest(namespace, 'cost', 100_000));
  expectStatus(created, [201], 'cost');
  const kc = new PooledKubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  const server = new ServerConfiguration(kc.getCurrentCluster()?.server ?? '', {});
  const libraries = {
    "fetch() (client-node's default)": createAppCopyStore(
      new CustomObjectsApi(
        createConfiguration({
          baseServer: server,
          authMethods: { default: kc },
          httpApi: new IsomorphicFetchHttpLibrary(),
        }),
      ),
    ),
    "request() (the operator's)": createAppCopyStore(kc.makeApiClient(CustomObjectsApi)),
  };

  const measure = async (work: () => Promise<unknown>) => {
    for (let i = 0; i < Math.min(200, n); i++) await work(); // warm both the JIT and the connection
    const wall: number[] = [];
    let cpuMicros = 0;
    for (let i = 0; i < n; i++) {
      if (idleMs > 0) await sleep(idleMs);
      const cpu = process.cpuUsage();
      const started = performance.now();
      await work();
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
    }
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    return `CPU ${ms(cpuMicros / 1000 / n)}, wall p50 ${ms(median(wall))} p90 ${ms(percentile(wall, 90))}`;
  };

  process.stdout.write(`${n} requests each, one at a time, ${idleMs} ms idle before each\n`);
  for (let round = 0; round < 2; round++) {
    for (const [label, store] of Object.entries(libraries)) {
      const get = await measure(() => store.get(namespace, 'cost'));
      let object = (await store.get(namespace, 'cost')) as AppCopy;
      let written = 0;
      const put = await measure(async () => {
        const status = finishedStatus(object.metadata.generation, new Date(Date.now() + written++));
        object = await store.writeStatus(object, status);
      });
      process.stdout.write(`${label.padEnd(32)} GET: ${get}\n${''.padEnd(32)} status PUT: ${put}\n`);
    }
  }
} finally {
  kube.close();
  await plane.stop();
}
