// What a process costs, read from /proc (Linux): CPU time and resident memory. The benchmark
// reads the operator, kube-apiserver and etcd this way, from the outside, as `top` would.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux that matters). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Memory {
  /** VmRSS: resident set size now, bytes. */
  rssBytes: number;
  /** VmHWM: the peak resident set size so far, bytes. */
  peakRssBytes: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
}

/** User + system CPU seconds the process has used so far; undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, /proc/stat), or undefined. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
      CLOCK_TICKS_PER_SECOND
    );
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used by each named process since the meter was made, and by everything else on
 * the machine (`others`): a run during which others used much CPU is not a clean measurement.
 */
export function cpuMeter(pids: Record<string, number | undefined>) {
  const before: Record<string, number | undefined> = {};
  for (const [name, pid] of Object.entries(pids)) before[name] = pid ? cpuSecondsOf(pid) : undefined;
  const machineBefore = machineBusySeconds();
  return {
    read(): Record<string, number> {
      const used: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = pid ? cpuSecondsOf(pid) : undefined;
        const then = before[name];
        if (now !== undefined && then !== undefined) used[name] = round(now - then, 2);
      }
      const machineNow = machineBusySeconds();
      if (machineNow !== undefined && machineBefore !== undefined) {
        const ours = Object.values(used).reduce((a, b) => a + b, 0);
        // Per-process and machine-wide accounting tick apart: a few hundredths either way is noise.
        used.others = round(machineNow - machineBefore - ours, 2);
      }
      return used;
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * The memory of a cgroup as the kubelet reads it for the container (cAdvisor): usage, the
 * working set (usage less inactive file pages: what `kubectl top` shows and the OOM decision
 * weighs) and the peak usage so far (undefined on v2 kernels without memory.peak). A file page
 * is charged to the cgroup that first read it: Node's binary, already in the page cache from an
 * earlier run, counts in VmRSS but not here, so usage can be below VmRSS.
 */
export interface CgroupMemory {
  usageBytes: number;
  /** Anonymous memory (the heap, stacks): what the process alone owns, wherever it was started. */
  anonBytes: number;
  workingSetBytes: number;
  peakBytes: number | undefined;
}

/**
 * Reads `relativePath` under the v2 unified hierarchy, else the v1 memory hierarchy; undefined
 * when neither has it (the cgroup is gone).
 */
export function cgroupMemoryOf(relativePath: string, root = '/sys/fs/cgroup'): CgroupMemory | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const stat = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const v2 = `${root}/${relativePath}`.replace(/\/+/g, '/');
  const v2Usage = read(`${v2}/memory.current`);
  if (v2Usage !== undefined) {
    const usage = Number(v2Usage.trim());
    const peak = read(`${v2}/memory.peak`);
    const memoryStat = read(`${v2}/memory.stat`) ?? '';
    return {
      usageBytes: usage,
      anonBytes: stat(memoryStat, 'anon'),
      workingSetBytes: Math.max(0, usage - stat(memoryStat, 'inactive_file')),
      peakBytes: peak === undefined ? undefined : Number(peak.trim()),
    };
  }
  const v1 = `${root}/memory/${relativePath}`.replace(/\/+/g, '/');
  const v1Usage = read(`${v1}/memory.usage_in_bytes`);
  if (v1Usage === undefined) return undefined;
  const usage = Number(v1Usage.trim());
  const memoryStat = read(`${v1}/memory.stat`) ?? '';
  return {
    usageBytes: usage,
    anonBytes: stat(memoryStat, 'total_rss'),
    workingSetBytes: Math.max(0, usage - stat(memoryStat, 'total_inactive_file')),
    peakBytes: Number(read(`${v1}/memory.max_usage_in_bytes`)?.trim() ?? Number.NaN),
  };
}
