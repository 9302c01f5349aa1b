// How fast this machine is right now, measured the same way before every run: the host is
// shared, and the same code measured an hour apart can differ by a third. Two figures travel
// with the results so runs can be compared fairly: a fixed CPU workload in this process, and
// the round trip of a trivial request to the API server.
import { createHash } from 'node:crypto';
import type { KubeRest } from './kube-rest.ts';
import { median, round } from './stats.ts';

export interface Calibration {
  /** ms for a fixed workload (SHA-256 of 200 MiB, JSON round trips of 100 x 2,000 objects); median of 3. */
  cpuMs: number;
  /** ms for one GET of the default namespace over a kept-alive connection; median of 200. */
  apiRoundTripMs: number;
}

export async function calibrate(kube: KubeRest): Promise<Calibration> {
  const block = Buffer.alloc(1 << 20, 7);
  const document = {
    items: Array.from({ length: 2000 }, (_, i) => ({ i, s: 'x'.repeat(40), n: [1, 2, 3] })),
  };
  const cpu: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    for (let i = 0; i < 200; i++) createHash('sha256').update(block).digest();
    for (let i = 0; i < 100; i++) JSON.parse(JSON.stringify(document));
    cpu.push(performance.now() - started);
  }
  const trips: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await kube.request('GET', '/api/v1/namespaces/default');
    trips.push(performance.now() - started);
  }
  return { cpuMs: round(median(cpu), 0), apiRoundTripMs: round(median(trips), 2) };
}
