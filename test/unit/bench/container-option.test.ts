// `npm run bench -- --operator container` and the cgroup memory it reads for both kinds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseBenchArgs } from '../../../bench/cli-args.ts';
import { cgroupMemoryOf } from '../../../bench/process-stats.ts';

describe('--operator', () => {
  it('runs the process by default, the image with container', () => {
    expect(DEFAULT_SETTINGS.operator).toBe('process');
    const parsed = parseBenchArgs(['--operator', 'container']);
    expect(parsed.kind === 'run' && parsed.options.settings.operator).toBe('container');
  });

  it.each([
    [['--operator', 'vm'], /--operator takes process or container \(got vm\)/],
    [['--operator', 'container', '--profile', '/tmp/p'], /--profile profiles the process/],
    [['--operator', 'container', '--pod-limits', 'none'], /runs deploy\/base's pod, with its limits/],
  ])('%j is refused', (argv, message) => {
    const parsed = parseBenchArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toMatch(message);
  });
});

describe('cgroupMemoryOf', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const files = (dir: string, contents: Record<string, string>) => {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  };

  it('reads cgroup v1: usage, the working set less inactive file pages, anonymous memory and the peak', () => {
    root = mkdtempSync(join(tmpdir(), 'cgroup-'));
    files(join(root, 'memory/libpod_parent/libpod-abc'), {
      'memory.usage_in_bytes': '64000000\n',
      'memory.max_usage_in_bytes': '80000000\n',
      'memory.stat': 'cache 9000000\nrss 50000000\ntotal_rss 52000000\ntotal_inactive_file 4000000\n',
    });
    expect(cgroupMemoryOf('/libpod_parent/libpod-abc', root)).toEqual({
      usageBytes: 64_000_000,
      anonBytes: 52_000_000,
      workingSetBytes: 60_000_000,
      peakBytes: 80_000_000,
    });
  });

  it('reads cgroup v2 first, and says undefined once the cgroup is gone', () => {
    root = mkdtempSync(join(tmpdir(), 'cgroup-'));
    files(join(root, 'pod'), {
      'memory.current': '70000000\n',
      'memory.peak': '90000000\n',
      'memory.stat': 'anon 50000000\nfile 20000000\ninactive_file 5000000\n',
    });
    expect(cgroupMemoryOf('pod', root)).toEqual({
      usageBytes: 70_000_000,
      anonBytes: 50_000_000,
      workingSetBytes: 65_000_000,
      peakBytes: 90_000_000,
    });
    expect(cgroupMemoryOf('gone', root)).toBeUndefined();
  });
});
