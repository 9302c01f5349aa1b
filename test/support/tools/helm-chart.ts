// Renders deploy/helm/appcopy-operator with the real helm (built by tool-cache.ts) the way a
// user installs it, and parses the result. Values go in as a file, as `helm install -f` does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runTool, type ToolResult } from './run-tool.ts';
import { ensureTool } from './tool-cache.ts';

export const CHART_DIR = fileURLToPath(new URL('../../../deploy/helm/appcopy-operator', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

// biome-ignore lint/suspicious/noExplicitAny: values are free-form YAML
export type Values = Record<string, any>;

/** The namespace modes the chart offers, as values; every test of "each mode" iterates these. */
export const NAMESPACE_MODES: Record<string, (releaseNamespace: string) => Values> = {
  'all namespaces': () => ({ watch: { scope: 'all' } }),
  'its own namespace': (ns) => ({ watch: { scope: 'namespaces', namespaces: [ns] } }),
  'a list of namespaces': (ns) => ({
    watch: { scope: 'namespaces', namespaces: [ns, `${ns}-b`, `${ns}-c`] },
  }),
  'a list of namespaces, with cluster consoles': (ns) => ({
    watch: { scope: 'namespaces', namespaces: [`${ns}-b`, `${ns}-c`] },
    clusterConsoles: { enabled: true },
  }),
  'all namespaces, Secrets opt-in': (ns) => ({
    watch: { scope: 'all' },
    secrets: { access: 'optIn', optInNamespaces: [`${ns}-b`] },
  }),
};

/** Runs `helm <command> <chart>` with `values` in a file; never throws for a non-zero exit. */
export async function helmWithValues(
  command: string[],
  values: Values = {},
  opts: { chartDir?: string } = {},
): Promise<ToolResult> {
  const helm = await ensureTool('helm');
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-helm-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, JSON.stringify(values));
    return await runTool(helm, [...command, opts.chartDir ?? CHART_DIR, '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` as text; throws with helm's message when it refuses. */
export async function renderChartText(
  values: Values = {},
  opts: { release?: string; namespace?: string; includeCrds?: boolean } = {},
): Promise<string> {
  const result = await helmWithValues(
    [
      'template',
      opts.release ?? 'appcopy-operator',
      '--namespace',
      opts.namespace ?? 'appcopy-system',
      ...(opts.includeCrds ? ['--include-crds'] : []),
    ],
    values,
  );
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export function parseRendered(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as Manifest | null;
    })
    .filter((o): o is Manifest => o !== null);
}

export async function renderChart(
  values: Values = {},
  opts: { release?: string; namespace?: string; includeCrds?: boolean } = {},
): Promise<Manifest[]> {
  return parseRendered(await renderChartText(values, opts));
}
