// `npm run bench` in miniature, so the benchmark keeps working: the real CLI (build, operator as
// its own process, simulator, every scenario, table, JSON) at tiny sizes against the shared
// control plane. It asserts only what must hold at any speed; the figures themselves come from
// `npm run bench` on a quiet machine (docs/performance.md), never from timed assertions here.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { BenchRuns, Figure } from '../../../bench/report.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the benchmark', () => {
  it('runs every scenario end to end and records correct counts', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-bench-smoke-'));
    try {
      const out = join(dir, 'results.json');
      const child = spawn(
        process.execPath,
        [
          'bench/run.ts',
          '--kubeconfig',
          inject('kubeconfigPath'),
          '--burst',
          '20',
          '--latency-runs',
          '5',
          '--follow',
          '10',
          '--scale',
          '200',
          '--settle',
          '5',
          '--out',
          out,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: 'pipe' },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code, output).toBe(0);
      expect(output).toContain('wall time / floor');
      // The operator ran under its pod's limits (a cgroup), or the output says why not.
      expect(output).toMatch(
        /operator NODE_OPTIONS: --max-semi-space-size=2; limits: (memory 512Mi, cpu 1 \(a cgroup|none \(cannot create a cgroup)/,
      );

      const results = JSON.parse(readFileSync(out, 'utf8')) as { runs: BenchRuns; figures: Figure[] };
      const [latency] = results.runs.latency;
      const [burst] = results.runs.burst;
      const [scale] = results.runs.scale;
      const [follow] = results.runs.follow;

      // latency: every copy succeeded and was measured.
      expect(latency?.runs).toBe(5);
      expect(latency?.failed).toBe(0);

      // burst: all copied, each target app exactly once, at most intent + outcome written.
      expect(burst?.succeeded).toBe(20);
      expect(burst?.efficiency.copyCallsPerAppCopy).toBe(1);
      expect(burst?.efficiency.targetsNotCopiedExactlyOnce).toBe(0);
      // The intent, the outcome, and the copy-record annotation that outlives the status.
      expect(burst?.efficiency.watchModificationsPerAppCopy).toBeLessThanOrEqual(3);

      // follow: every preview followed to running with its URL; one read of each copied
      // component's view (3 per AppCopy) however many polls, and nothing once followed.
      expect(follow?.followed).toBe(10);
      expect(follow?.withUrl).toBe(10);
      expect(follow?.consoleCallsPerAppCopy.getComponent).toBe(3);
      expect(follow?.pollsPerAppCopy).toBeGreaterThan(5);
      expect(follow?.consoleCallsOnceFollowed).toBe(0);

      // scale: a start among finished AppCopies calls the console and writes nothing.
      expect(scale?.appcopies).toBe(200);
      expect(scale?.consoleCalls).toBe(0);
      expect(scale?.reportedConsoleCalls).toBe(0);
      expect(scale?.releaseReads).toBe(1);
      expect(scale?.writesSeen).toBe(0);
      expect(scale?.reconciles).toBe(0);

      // Every figure the table names is in the JSON, with a value.
      for (const figure of results.figures) expect(Number.isFinite(figure.value), figure.name).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies through a ClusterRainbondConsole at the same cost: intent and outcome written, 1 copy call, no request for the console', {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-bench-console-'));
    try {
      const out = join(dir, 'results.json');
      const child = spawn(
        process.execPath,
        [
          'bench/run.ts',
          '--kubeconfig',
          inject('kubeconfigPath'),
          '--scenarios',
          'burst',
          '--burst',
          '20',
          '--console',
          'cluster',
          '--out',
          out,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: 'pipe' },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code, output).toBe(0);
      const results = JSON.parse(readFileSync(out, 'utf8')) as { runs: BenchRuns };
      const [burst] = results.runs.burst;
      expect(burst?.succeeded).toBe(20);
      // The intent, the outcome and the copy-record annotation, as without a console resource
      // (write requests may count a conflicted intent under load; the writes seen do not).
      expect(burst?.efficiency.watchModificationsPerAppCopy).toBeLessThanOrEqual(3);
      expect(burst?.efficiency.copyCallsPerAppCopy).toBe(1);
      expect(burst?.efficiency.targetsNotCopiedExactlyOnce).toBe(0);
      // The console, its rules and its token come from informers and the connection: no request
      // on consoles, namespaces, Secrets or ConfigMaps per copy.
      const kinds = Object.keys(burst?.efficiency.apiRequestsByKind ?? {});
      expect(kinds.filter((k) => /consoles|namespaces|secrets|configmaps/.test(k))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
