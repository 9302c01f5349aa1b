// Which form of the status write costs the control plane least: PUT of the whole object as read
// (what client-node's replace sends), PUT without metadata.managedFields, and a JSON merge patch
// of the status carrying the resourceVersion as its precondition. Each form writes two statuses
// (the intent, then the outcome) on 1,000 AppCopies of its own, 16 in flight.
//
//   node bench/probes/status-write-cost.ts [--n 1000]

import { GROUP, VERSION } from '../../src/api/appcopy.ts';
import { startControlPlane } from '../../test/support/control-plane/control-plane.ts';
import { createKubeRest, expectStatus } from '../kube-rest.ts';
import { cpuSecondsOf } from '../process-stats.ts';
import { createNamespace, ensureCrd, finishedStatus, forEachLimit, manifest } from '../workload.ts';

type Stored = { metadata: { generation: number; resourceVersion: string; managedFields?: unknown } };
const nAt = process.argv.indexOf('--n');
const n = nAt >= 0 ? Number(process.argv[nAt + 1]) : 1000;
const plane = await startControlPlane();
const kube = await createKubeRest(plane.kubeconfigPath);
try {
  await ensureCrd(kube);
  const { apiServer, etcd } = plane.processIds();
  const forms: Record<string, (path: string, object: Stored, status: unknown) => Promise<Stored>> = {
    'PUT as read': async (path, object, status) => {
      const answer = await kube.request<Stored>('PUT', path, { ...object, status });
      expectStatus(answer, [200], path);
      return answer.body;
    },
    'PUT without managedFields': async (path, object, status) => {
      const { managedFields: _, ...metadata } = object.metadata;
      const answer = await kube.request<Stored>('PUT', path, { ...object, metadata, status });
      expectStatus(answer, [200], path);
      return answer.body;
    },
    'merge patch with rv': async (path, object, status) => {
      const body = { metadata: { resourceVersion: object.metadata.resourceVersion }, status };
      const answer = await kube.request<Stored>('PATCH', path, body, 'application/merge-patch+json');
      expectStatus(answer, [200], path);
      return answer.body;
    },
  };
  for (let round = 0; round < 2; round++) {
    for (const [label, write] of Object.entries(forms)) {
      const namespace = await createNamespace(kube, 'cost');
      const collection = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/appcopies`;
      const names = Array.from({ length: n }, (_, i) => `cost-${i}`);
      const stored = new Map<string, Stored>();
      await forEachLimit(names, 16, async (name, i) => {
        const created = await kube.request<Stored>(
          'POST',
          collection,
          manifest(namespace, name, 100_000 + i),
        );
        expectStatus(created, [201], name);
        stored.set(name, created.body);
      });
      const before = { apiServer: cpuSecondsOf(apiServer) ?? 0, etcd: cpuSecondsOf(etcd) ?? 0 };
      for (let write2 = 0; write2 < 2; write2++) {
        await forEachLimit(names, 16, async (name) => {
          const object = stored.get(name)!;
          stored.set(
            name,
            await write(
              `${collection}/${name}/status`,
              object,
              finishedStatus(object.metadata.generation, new Date()),
            ),
          );
        });
      }
      const ms = (pid: number, then: number) =>
        ((1000 * ((cpuSecondsOf(pid) ?? 0) - then)) / (2 * n)).toFixed(2);
      process.stdout.write(
        `${label.padEnd(28)} kube-apiserver ${ms(apiServer, before.apiServer)} ms  etcd ${ms(etcd, before.etcd)} ms per status write\n`,
      );
    }
  }
} finally {
  kube.close();
  await plane.stop();
}
