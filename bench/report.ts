// The figures of a benchmark run, the targets of issue 7 judged against them, the table printed
// at the end, and the JSON written for comparing runs. With --repeat, every figure is the median
// over the runs, and a must-be-zero figure is judged on its worst run.
import { availableParallelism } from 'node:os';
import type { BenchSettings } from './context.ts';
import type { BurstResult } from './scenario-burst.ts';
import type { FollowResult } from './scenario-follow.ts';
import type { LatencyResult } from './scenario-latency.ts';
import type { ScaleResult } from './scenario-scale.ts';
import { median } from './stats.ts';

export interface BenchRuns {
  latency: LatencyResult[];
  burst: BurstResult[];
  follow: FollowResult[];
  scale: ScaleResult[];
  /** How long seeding the scale scenario's finished AppCopies took, s. */
  scaleSeedSeconds?: number;
}

export interface Figure {
  scenario: string;
  name: string;
  /** Median over the runs (or the worst run, for figures judged that way). */
  value: number;
  /** Every run's value. */
  values: number[];
  unit: string;
  /** The target in words, e.g. "<= 1.3"; absent for figures reported without a target. */
  target?: string;
  pass?: boolean;
}

type Judge = { target: string; test: (v: number) => boolean; worst?: 'max' | 'min' };

const below = (limit: number): Judge => ({ target: `< ${limit}`, test: (v) => v < limit });
const atMost = (limit: number): Judge => ({ target: `<= ${limit}`, test: (v) => v <= limit, worst: 'max' });
const exactly = (n: number): Judge => ({ target: `= ${n}`, test: (v) => v === n, worst: 'max' });

/** One row of the table: [scenario, name, values (one per run), unit, judge?]. */
type Row = [string, string, number[], string, Judge?];

function figure([scenario, name, values, unit, judge]: Row): Figure | undefined {
  if (values.length === 0) return undefined;
  const value =
    judge?.worst === 'max'
      ? Math.max(...values)
      : judge?.worst === 'min'
        ? Math.min(...values)
        : median(values);
  return {
    scenario,
    name,
    value,
    values,
    unit,
    ...(judge ? { target: judge.target, pass: judge.test(value) } : {}),
  };
}

export function figuresOf(runs: BenchRuns, settings: BenchSettings): Figure[] {
  const { latency: l, burst: b, follow: f = [], scale: s } = runs;
  const c = settings.concurrency;
  const cores = availableParallelism();
  const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
  const rows: Row[] = [
    [
      'latency',
      'overhead p99 (create -> Succeeded minus simulator)',
      l.map((r) => r.overheadMs.p99),
      'ms',
      below(50),
    ],
    ['latency', 'overhead p50', l.map((r) => r.overheadMs.p50), 'ms'],
    ['latency', 'create -> Succeeded p50', l.map((r) => r.totalMs.p50), 'ms'],
    ['latency', 'create -> Succeeded p99', l.map((r) => r.totalMs.p99), 'ms'],
    ['latency', 'simulator latency on the path', l.map((r) => r.simulatorMs.p50), 'ms'],
    ['latency', 'operator log lines at warn or above', l.map((r) => r.operatorWarnings), ''],
    ['latency', 'CPU used by other processes meanwhile', defined(l.map((r) => r.cpuSeconds.others)), 's'],
    ['latency', 'failed', l.map((r) => r.failed), '', exactly(0)],

    [
      'burst',
      `wall time / floor at C=${c} (headline)`,
      b.map((r) => r.ratioToFloor),
      'x',
      { target: '<= 1.3', test: (v) => v <= 1.3 },
    ],
    ['burst', `wall time (${settings.burstSize} AppCopies)`, b.map((r) => r.wallSeconds), 's'],
    ['burst', `floor (N x ${settings.copyLatencyMs} ms / ${c})`, b.map((r) => r.floorSeconds), 's'],
    [
      'burst',
      `CPU bound: CPU time of all processes / ${cores} cores`,
      defined(b.map((r) => r.cpuBoundSeconds)),
      's',
    ],
    ['burst', 'copies per second', b.map((r) => r.copiesPerSecond), '/s'],
    ['burst', 'creating all AppCopies took', b.map((r) => r.createSeconds), 's'],
    ['burst', 'operator CPU', defined(b.map((r) => r.cpuSeconds.operator)), 's'],
    ['burst', 'kube-apiserver CPU', defined(b.map((r) => r.cpuSeconds.apiServer)), 's'],
    ['burst', 'etcd CPU', defined(b.map((r) => r.cpuSeconds.etcd)), 's'],
    ['burst', 'benchmark + simulator CPU', defined(b.map((r) => r.cpuSeconds.bench)), 's'],
    [
      'burst',
      'per AppCopy: created -> target listed p50',
      b.map((r) => r.phasesMs.createdToListed.p50),
      'ms',
    ],
    ['burst', 'per AppCopy: listed -> copy sent p50', b.map((r) => r.phasesMs.listedToCopySent.p50), 'ms'],
    [
      'burst',
      'per AppCopy: copy sent -> Succeeded p50',
      b.map((r) => r.phasesMs.copySentToSucceeded.p50),
      'ms',
    ],
    ['burst', 'worker time per AppCopy', b.map((r) => r.efficiency.workerMsPerAppCopy), 'ms'],
    [
      'burst',
      'worker utilisation (worker time / C x wall)',
      b.map((r) => r.efficiency.workerUtilisation),
      '',
    ],
    ['burst', 'operator peak RSS', b.map((r) => r.operatorPeakRssMB), 'MB'],
    ['burst', 'operator cgroup peak usage', defined(b.map((r) => r.operatorCgroupPeakMB)), 'MB'],
    ['burst', 'operator log lines at warn or above', b.map((r) => r.operatorWarnings), ''],
    ['burst', 'CPU used by other processes meanwhile', defined(b.map((r) => r.cpuSeconds.others)), 's'],
    ['burst', 'failed', b.map((r) => r.failed), '', exactly(0)],

    ['efficiency', 'API server requests per AppCopy', b.map((r) => r.efficiency.apiRequestsPerAppCopy), ''],
    [
      'efficiency',
      'status writes per AppCopy',
      b.map((r) => r.efficiency.statusWritesPerAppCopy),
      '',
      atMost(2),
    ],
    ['efficiency', 'copy calls per AppCopy', b.map((r) => r.efficiency.copyCallsPerAppCopy), '', exactly(1)],
    [
      'efficiency',
      'target apps not copied exactly once',
      b.map((r) => r.efficiency.targetsNotCopiedExactlyOnce),
      '',
      exactly(0),
    ],
    [
      'efficiency',
      'console calls per AppCopy (all routes)',
      b.map((r) => Object.values(r.efficiency.consoleCallsPerAppCopy).reduce((x, y) => x + y, 0)),
      '',
    ],

    [
      'follow',
      `followed until the copies run (${settings.followSize} previews)`,
      f.map((r) => r.followed),
      '',
    ],
    ['follow', 'previews with status.url', f.map((r) => r.withUrl), ''],
    ['follow', 'wall time, first create -> last ComponentsReady', f.map((r) => r.wallSeconds), 's'],
    ['follow', 'polls (component list) per AppCopy', f.map((r) => r.pollsPerAppCopy), ''],
    [
      'follow',
      'component views read (addresses) per AppCopy',
      f.map((r) => r.componentReadsPerAppCopy),
      '',
      atMost(3),
    ],
    [
      'follow',
      'component views read per copied component',
      f.map((r) => r.componentReadsPerCopiedComponent),
      '',
      atMost(1),
    ],
    [
      'follow',
      'console calls per AppCopy (all routes)',
      f.map((r) => Object.values(r.consoleCallsPerAppCopy).reduce((x, y) => x + y, 0)),
      '',
    ],
    ['follow', 'status writes per AppCopy', f.map((r) => r.statusWritesPerAppCopy), ''],
    [
      'follow',
      'AppCopy writes seen by a watch per AppCopy',
      f.map((r) => r.watchModificationsPerAppCopy),
      '',
    ],
    [
      'follow',
      'console calls while idle once all are followed',
      f.map((r) => r.consoleCallsOnceFollowed),
      '',
      exactly(0),
    ],
    ['follow', 'operator log lines at warn or above', f.map((r) => r.operatorWarnings), ''],

    [
      'scale',
      `start -> ready (${settings.scaleSize} finished)`,
      s.map((r) => r.startToReadyMs),
      'ms',
      below(5000),
    ],
    [
      'scale',
      `RSS once settled (${settings.settleSeconds} s after ready)`,
      s.map((r) => r.rssMB),
      'MB',
      below(150),
    ],
    ['scale', 'peak RSS during start', s.map((r) => r.peakRssMB), 'MB'],
    ['scale', 'cgroup working set once settled', defined(s.map((r) => r.cgroupWorkingSetMB)), 'MB'],
    ['scale', 'cgroup usage once settled', defined(s.map((r) => r.cgroupUsageMB)), 'MB'],
    ['scale', 'cgroup anonymous memory once settled', defined(s.map((r) => r.cgroupAnonMB)), 'MB'],
    ['scale', 'V8 heap used once settled', s.map((r) => r.heapUsedMB), 'MB'],
    ['scale', 'V8 heap reserved once settled', s.map((r) => r.heapTotalMB), 'MB'],
    ['scale', 'external (Buffer) memory once settled', s.map((r) => r.externalMB), 'MB'],
    ['scale', 'Rainbond calls', s.map((r) => r.consoleCalls), '', exactly(0)],
    ['scale', 'status writes', s.map((r) => r.statusWrites), '', exactly(0)],
    ['scale', 'AppCopy writes seen by a watch', s.map((r) => r.writesSeen), '', exactly(0)],
    ['scale', 'reconciles', s.map((r) => r.reconciles), '', exactly(0)],
    ['scale', 'operator log lines at warn or above', s.map((r) => r.operatorWarnings), ''],
    ['scale', 'operator CPU, start to settled', s.map((r) => r.operatorCpuSeconds), 's'],
  ];
  return rows.map(figure).filter((f): f is Figure => f !== undefined);
}

export function renderTable(figures: readonly Figure[], repeat: number): string {
  const shown = (f: Figure) => {
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 2 : 1);
    const spread = f.values.length > 1 ? `  [${Math.min(...f.values)}..${Math.max(...f.values)}]` : '';
    return `${value}${f.unit ? ` ${f.unit}` : ''}${spread}`;
  };
  const rows = figures.map((f) => [
    f.scenario,
    f.name,
    shown(f),
    f.target ?? '',
    f.pass === undefined ? '' : f.pass ? 'pass' : 'FAIL',
  ]);
  const header = [
    'scenario',
    'figure',
    repeat > 1 ? `median of ${repeat} [min..max]` : 'value',
    'target',
    '',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
