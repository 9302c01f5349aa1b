// `npm audit --omit=dev`: no high or critical advisory in what the operator runs with. The audit
// asks the registry's advisory service; where that service cannot be reached (an offline machine,
// or a registry mirror without the audit endpoint, which answers 405) there is nothing to judge,
// and the test says so and is skipped, unless APPCOPY_REQUIRE_AUDIT=1 makes that a failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface AuditReport {
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity: string; via: unknown[] }>;
  error?: { summary?: string };
  message?: string;
}

describe('npm audit of the production dependencies', () => {
  it('finds no high or critical advisory', { timeout: 180_000 }, (ctx) => {
    const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 150_000,
    });
    let report: AuditReport;
    try {
      report = JSON.parse(run.stdout) as AuditReport;
    } catch {
      throw new Error(`npm audit printed no JSON (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      const why =
        report.message ?? report.error?.summary ?? run.stderr.trim().split('\n').at(-1) ?? 'no answer';
      if (process.env.APPCOPY_REQUIRE_AUDIT === '1') throw new Error(`npm audit could not run: ${why}`);
      process.stderr.write(
        `[npm audit] not judged: the registry's audit service is unavailable here (${why})\n`,
      );
      ctx.skip();
      return;
    }
    const serious = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .map(([name, v]) => `${name} (${v.severity})`);
    expect(serious).toEqual([]);
    expect((counts.high ?? 0) + (counts.critical ?? 0)).toBe(0);
  });
});
