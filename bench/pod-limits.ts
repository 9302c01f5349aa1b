// Runs the operator under the resource limits its Deployment gives it (deploy/base), with a
// real cgroup, so that it sizes itself as in the pod: Node hands V8 the cgroup's memory limit,
// and V8 derives its heap (old and young generation) from it; the CPU limit throttles it as the
// kubelet would. Without this, V8 sizes its heap for the whole machine (24 GB here) and the RSS
// measures the benchmark machine, not the product.
//
// cgroup v2 (a unified hierarchy with the memory and cpu controllers) and v1 (memory and cpu
// hierarchies) are both handled; both need root. Where neither can be used the benchmark says
// so and runs the operator without limits (the JSON records which).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

export interface PodLimits {
  /** The container's NODE_OPTIONS in the Deployment ('' when it sets none). */
  nodeOptions: string;
  /** As written in the Deployment, e.g. "512Mi" and "1". */
  memory: string;
  cpu: string;
  memoryBytes: number;
  cpuMillis: number;
}

/** The operator container's resources.limits and NODE_OPTIONS in a Deployment manifest. */
export function readDeploymentLimits(file: string): PodLimits {
  const deployment = parse(readFileSync(file, 'utf8')) as {
    spec?: {
      template?: {
        spec?: {
          containers?: {
            resources?: { limits?: { memory?: unknown; cpu?: unknown } };
            env?: { name?: string; value?: unknown }[];
          }[];
        };
      };
    };
  };
  const container = deployment.spec?.template?.spec?.containers?.[0];
  const limits = container?.resources?.limits;
  const nodeOptions = String(container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '');
  const memory = String(limits?.memory ?? '');
  const cpu = String(limits?.cpu ?? '');
  if (!memory || !cpu)
    throw new Error(`${file}: the first container has no resources.limits.memory and .cpu`);
  return {
    nodeOptions,
    memory,
    cpu,
    memoryBytes: parseMemoryQuantity(memory),
    cpuMillis: parseCpuQuantity(cpu),
  };
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity ("512Mi", "1G", "1000000") in bytes. */
export function parseMemoryQuantity(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = match[2] ?? '';
  return Math.round(Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1));
}

/** A Kubernetes CPU quantity ("1", "500m", "1.5") in millicores. */
export function parseCpuQuantity(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity.trim());
  if (!match) throw new Error(`not a CPU quantity: ${quantity}`);
  return Math.round(match[2] ? Number(match[1]) : Number(match[1]) * 1000);
}

export interface PodCgroup {
  /** The cgroup's name (its directory under each hierarchy). */
  name: string;
  /** The cgroup.procs files a process must be written into (one per v1 hierarchy). */
  procsFiles: string[];
  /** Removes the cgroup(s); call once no process is left in them. */
  remove(): void;
}

const ROOT = '/sys/fs/cgroup';
/** CFS period the kubelet uses; the quota is the limit's share of it. */
const CPU_PERIOD_US = 100_000;

/**
 * Creates a cgroup with the pod's limits, named `name`. Throws with the reason when the machine
 * does not let us (no cgroup controllers, not root).
 */
export function createPodCgroup(limits: PodLimits, name: string): PodCgroup {
  const quotaUs = Math.round((limits.cpuMillis / 1000) * CPU_PERIOD_US);
  const made: string[] = [];
  const remove = () => {
    for (const dir of made.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // still in use or already gone; a later run's name differs
      }
    }
  };
  try {
    const unified = join(ROOT, 'cgroup.controllers');
    if (existsSync(unified) && /\bmemory\b/.test(readFileSync(unified, 'utf8'))) {
      const dir = join(ROOT, name);
      mkdirSync(dir);
      made.push(dir);
      writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${CPU_PERIOD_US}`);
      return { name, procsFiles: [join(dir, 'cgroup.procs')], remove };
    }
    const memory = join(ROOT, 'memory', name);
    const cpu = join(ROOT, 'cpu', name);
    mkdirSync(memory);
    made.push(memory);
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    mkdirSync(cpu);
    made.push(cpu);
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(quotaUs));
    return { name, procsFiles: [join(memory, 'cgroup.procs'), join(cpu, 'cgroup.procs')], remove };
  } catch (error) {
    remove();
    throw new Error(
      `cannot create a cgroup with the pod's limits under ${ROOT}: ${(error as Error).message}`,
    );
  }
}

/**
 * How to spawn `argv` inside the cgroup from its first instruction (Node reads its memory limit
 * at start): a shell writes its own pid into each cgroup.procs, then execs, so the pid stays the
 * operator's.
 */
export function spawnInCgroup(
  cgroup: PodCgroup,
  argv: readonly string[],
): { command: string; args: string[]; env: Record<string, string> } {
  return {
    command: '/bin/sh',
    args: [
      '-c',
      'for f in $APPCOPY_CGROUP_PROCS; do echo $$ > "$f" || exit 97; done; exec "$@"',
      'sh',
      ...argv,
    ],
    env: { APPCOPY_CGROUP_PROCS: cgroup.procsFiles.join(' ') },
  };
}

/**
 * The limits and NODE_OPTIONS of `root`'s deploy/base Deployment, and whether a cgroup with the
 * limits can be made here (tried once, then removed).
 */
export function resolvePodLimits(
  root: string,
):
  | { applied: true; limits: PodLimits; from: string; nodeOptions: string }
  | { applied: false; reason: string; nodeOptions: string } {
  const file = join(root, 'deploy/base/deployment.yaml');
  const limits = readDeploymentLimits(file);
  try {
    createPodCgroup(limits, `appcopy-bench-${process.pid}-probe`).remove();
  } catch (error) {
    return { applied: false, reason: (error as Error).message, nodeOptions: limits.nodeOptions };
  }
  return { applied: true, limits, from: relative(root, file), nodeOptions: limits.nodeOptions };
}
