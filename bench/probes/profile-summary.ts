// Summarises a V8 CPU profile (.cpuprofile, from `npm run bench -- --profile DIR`) or a heap
// snapshot (.heapsnapshot) in the terminal, so a profile can be read and quoted without a
// browser:
//
//   node bench/probes/profile-summary.ts /tmp/appcopy-prof/burst-0.cpuprofile [--top 25]
//   node bench/probes/profile-summary.ts /tmp/appcopy-prof/Heap.*.heapsnapshot [--top 25]
//
// CPU: self time by function and by package (node_modules/<name>, node: internals, our src/),
// and inclusive time of the functions that matter most. Heap: retained-size-free summary by
// constructor (count and self size), the same view as DevTools' "Summary" sorted by shallow size.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function packageOf(url: string): string {
  if (url === '') return '(native/VM)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `operator ${url
      .slice(dist + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url;
}

function table(rows: [string, number, string][], total: number, top: number): string {
  return rows
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, ms, extra]) =>
        `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}${extra}`,
    )
    .join('\n');
}

function summariseCpu(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, v]) => a + v, 0);
  const busy = totalMs - idle;

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const where = frame.url
      ? ` ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const pkg = packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }

  // Inclusive time: a node's self time counts for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!frame.functionName || frame.functionName.startsWith('(')) continue;
      const key = `${frame.functionName} (${packageOf(frame.url)})`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  return [
    `profile ${totalMs.toFixed(0)} ms, busy (not idle) ${busy.toFixed(0)} ms`,
    '',
    'self time by package:',
    table(
      [...byPackage].map(([k, v]) => [k, v, '']),
      busy,
      top,
    ),
    '',
    'self time by function:',
    table(
      [...byFunction].map(([k, v]) => [k, v, '']),
      busy,
      top,
    ),
    '',
    'inclusive time by function:',
    table(
      [...inclusive].map(([k, v]) => [k, v, '']),
      busy,
      top,
    ),
  ].join('\n');
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summariseHeap(snapshot: HeapSnapshot, top: number): string {
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snapshot.snapshot.meta.node_types[0];
  const byName = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] as number] as string;
    const rawName = snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '';
    const name = type === 'object' || type === 'native' ? rawName : `(${type})`;
    const bytes = snapshot.nodes[i + sizeAt] as number;
    totalBytes += bytes;
    const entry = byName.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += bytes;
    byName.set(name, entry);
  }
  const rows = [...byName]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, top)
    .map(
      ([name, e]) =>
        `${(e.bytes / 2 ** 20).toFixed(2).padStart(8)} MB ${((100 * e.bytes) / totalBytes).toFixed(1).padStart(5)}% ${String(e.count).padStart(9)}  ${name.slice(0, 100)}`,
    );
  return [
    `heap ${(totalBytes / 2 ** 20).toFixed(1)} MB (self sizes)`,
    '',
    '      size     %     count  constructor',
    ...rows,
  ].join('\n');
}

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write(
    'usage: node bench/probes/profile-summary.ts FILE.cpuprofile|FILE.heapsnapshot [--top N]\n',
  );
  process.exit(2);
}
const topAt = rest.indexOf('--top');
const top = topAt >= 0 ? Number(rest[topAt + 1]) : 25;
const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
process.stdout.write(
  `${file.endsWith('.heapsnapshot') ? summariseHeap(data as HeapSnapshot, top) : summariseCpu(data as CpuProfile, top)}\n`,
);
