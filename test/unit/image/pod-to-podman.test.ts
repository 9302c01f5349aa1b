// The translation of a Deployment's pod into `podman run` arguments (the image tests and
// `npm run bench -- --operator container` run the operator with it), on deploy/base's
// Deployment, which states the same pod as the chart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cpuShares, hardLimit, podmanRunFor } from '../../support/image/pod-to-podman.ts';
import type { Manifest } from '../../support/tools/helm-chart.ts';

const deployment = parse(
  readFileSync(fileURLToPath(new URL('../../../deploy/base/deployment.yaml', import.meta.url)), 'utf8'),
) as Manifest;

const input = (d: Manifest = deployment) => ({
  deployment: d,
  name: 'op',
  env: { A: '1' },
  volumes: { tmp: '/host/tmp' },
  ulimits: { nofile: 20000, nproc: 32768 },
});

/** The value after `flag` in args, each time it appears. */
const valuesOf = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('podmanRunFor', () => {
  it('runs as the pod’s user with its group, read-only, without capabilities or privilege escalation', () => {
    const run = podmanRunFor(input());
    expect(run.user).toEqual({ uid: 65532, gid: 65532, fsGroup: 65532 });
    expect(valuesOf(run.args, '--user')).toEqual(['65532:65532']);
    expect(valuesOf(run.args, '--group-add')).toEqual(['65532']);
    expect(run.args).toContain('--read-only');
    expect(run.args).toContain('--read-only-tmpfs=false');
    expect(valuesOf(run.args, '--cap-drop')).toEqual(['all']);
    expect(valuesOf(run.args, '--cap-add')).toEqual([]);
    expect(valuesOf(run.args, '--security-opt')).toEqual(['no-new-privileges']);
    expect(run.args).not.toContain('--privileged');
  });

  it('gives it the limits, grace period, volumes and environment, and never pulls', () => {
    const run = podmanRunFor(input());
    expect(valuesOf(run.args, '--memory')).toEqual([String(512 * 2 ** 20)]);
    expect(valuesOf(run.args, '--memory-swap')).toEqual([String(512 * 2 ** 20)]);
    expect(valuesOf(run.args, '--cpus')).toEqual(['1']);
    expect(valuesOf(run.args, '--cpu-shares')).toEqual(['51']);
    expect(valuesOf(run.args, '--stop-timeout')).toEqual([
      String(deployment.spec.template.spec.terminationGracePeriodSeconds),
    ]);
    expect(valuesOf(run.args, '--volume')).toEqual(['/host/tmp:/tmp:rw']);
    expect(valuesOf(run.args, '--env')).toEqual(['A=1']);
    expect(valuesOf(run.args, '--ulimit')).toEqual(['nofile=20000:20000', 'nproc=32768:32768']);
    expect(run.args).toContain('--pull=never');
    expect(run.image).toBe(deployment.spec.template.spec.containers[0].image);
  });

  it('refuses what it does not translate, and what the kubelet would refuse', () => {
    const variant = (change: (pod: Manifest['spec']) => void) => {
      const copy = structuredClone(deployment);
      change(copy.spec.template.spec);
      return copy;
    };
    expect(() =>
      podmanRunFor(input(variant((pod) => (pod.containers[0].securityContext.procMount = 'Unmasked')))),
    ).toThrow(/securityContext\.procMount is not translated/);
    expect(() => podmanRunFor(input(variant((pod) => (pod.securityContext.runAsUser = 0))))).toThrow(
      /runAsNonRoot with runAsUser 0/,
    );
    expect(() =>
      podmanRunFor(input(variant((pod) => (pod.containers[0].imagePullPolicy = 'Always')))),
    ).toThrow(/no registry/);
    expect(() => podmanRunFor({ ...input(), volumes: {} })).toThrow(
      /no host directory given for the pod's volume tmp/,
    );
  });

  it('computes CPU shares and reads hard limits as the kubelet and /proc do', () => {
    expect(cpuShares('50m')).toBe(51);
    expect(cpuShares('1')).toBe(1024);
    expect(cpuShares('1m')).toBe(2);
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units\nMax processes             96367                96367                processes\nMax open files            1024                 unlimited            files\n';
    expect(hardLimit(limits, 'Max processes')).toBe(96367);
    expect(hardLimit(limits, 'Max open files')).toBe(1_048_576);
  });
});
