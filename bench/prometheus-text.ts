// Reads the Prometheus text exposition format (the operator's and the API server's /metrics)
// into samples, and sums or diffs them by label. Only what the benchmark needs: no histograms
// as such, no timestamps, no escapes beyond \" and \\ in label values.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string, only?: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    if (only && !only.has(name)) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include every pair of `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/**
 * `after - before` per series of `name`, grouped by the given labels (joined with `|`); series
 * whose difference is 0 are left out.
 */
export function diffBy(
  before: readonly Sample[],
  after: readonly Sample[],
  name: string,
  by: readonly string[],
): Record<string, number> {
  const totals = new Map<string, number>();
  const add = (samples: readonly Sample[], sign: number) => {
    for (const s of samples) {
      if (s.name !== name) continue;
      const key = by.map((label) => s.labels[label] ?? '').join('|');
      totals.set(key, (totals.get(key) ?? 0) + sign * s.value);
    }
  };
  add(after, 1);
  add(before, -1);
  const result: Record<string, number> = {};
  for (const [key, value] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
    if (value !== 0) result[key] = value;
  }
  return result;
}
