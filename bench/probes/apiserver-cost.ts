// What each kind of request the operator makes costs the control plane, in CPU, on a control
// plane of its own with nobody watching: the cost model behind the burst's CPU bound
// (docs/performance.md). 1,000 requests of each kind, 16 in flight, over kept-alive connections.
//
//   node bench/probes/apiserver-cost.ts [--n 1000]

import { GROUP, VERSION } from '../../src/api/appcopy.ts';
import { startControlPlane } from '../../test/support/control-plane/control-plane.ts';
import { createKubeRest, expectStatus } from '../kube-rest.ts';
import { cpuSecondsOf } from '../process-stats.ts';
import { createNamespace, ensureCrd, finishedStatus, forEachLimit, manifest } from '../workload.ts';

const nAt = process.argv.indexOf('--n');
const n = nAt >= 0 ? Number(process.argv[nAt + 1]) : 1000;
const plane = await startControlPlane();
const kube = await createKubeRest(plane.kubeconfigPath);
try {
  await ensureCrd(kube);
  const namespace = await createNamespace(kube, 'cost');
  const collection = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/appcopies`;
  const names = Array.from({ length: n }, (_, i) => `cost-${i}`);
  const stored = new Map<string, { metadata: { generation: number } }>();
  const { apiServer, etcd } = plane.processIds();

  const measure = async (label: string, work: (name: string, i: number) => Promise<void>) => {
    const before = { apiServer: cpuSecondsOf(apiServer) ?? 0, etcd: cpuSecondsOf(etcd) ?? 0 };
    const started = performance.now();
    await forEachLimit(names, 16, work);
    const wallMs = (performance.now() - started) / n;
    const ms = (pid: number, then: number) => ((1000 * ((cpuSecondsOf(pid) ?? 0) - then)) / n).toFixed(2);
    process.stdout.write(
      `${label.padEnd(28)} kube-apiserver ${ms(apiServer, before.apiServer)} ms  etcd ${ms(etcd, before.etcd)} ms  (wall ${wallMs.toFixed(2)} ms) per request\n`,
    );
  };

  await measure('POST appcopies', async (name, i) => {
    const created = await kube.request<{ metadata: { generation: number } }>(
      'POST',
      collection,
      manifest(namespace, name, 100_000 + i),
    );
    expectStatus(created, [201], name);
    stored.set(name, created.body);
  });
  await measure('GET appcopies', async (name) => {
    expectStatus(await kube.request('GET', `${collection}/${name}`), [200], name);
  });
  for (const round of ['PUT appcopies/status', 'PUT appcopies/status (2nd)']) {
    await measure(round, async (name) => {
      const object = stored.get(name)!;
      const written = await kube.request<{ metadata: { generation: number } }>(
        'PUT',
        `${collection}/${name}/status`,
        { ...object, status: finishedStatus(object.metadata.generation, new Date()) },
      );
      expectStatus(written, [200], name);
      stored.set(name, written.body);
    });
  }
  await measure('POST events', async (name) => {
    const now = new Date().toISOString();
    const event = {
      metadata: { generateName: `${name}.`, namespace },
      involvedObject: { apiVersion: `${GROUP}/${VERSION}`, kind: 'AppCopy', namespace, name },
      type: 'Normal',
      reason: 'Copied',
      message: 'copied 3 component(s): web-copy, api-copy, worker-copy',
      source: { component: 'appcopy-operator' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    expectStatus(await kube.request('POST', `/api/v1/namespaces/${namespace}/events`, event), [201], name);
  });
} finally {
  kube.close();
  await plane.stop();
}
