// The alerts and the dashboard as the tests read them: where they live, the PromQL each holds,
// and the metric names that PromQL reads (found by Prometheus' own parser, promql-metric-names).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runTool } from './run-tool.ts';
import { ensureTool } from './tool-cache.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The sources (a kustomize component) and the chart's copies of them. */
export const MONITORING = {
  prometheusRule: join(ROOT, 'deploy/components/monitoring/prometheus-rule.yaml'),
  dashboard: join(ROOT, 'deploy/components/monitoring/appcopy-operator.dashboard.json'),
  chartRules: join(ROOT, 'deploy/helm/appcopy-operator/files/appcopy-operator.rules.yaml'),
  chartDashboard: join(ROOT, 'deploy/helm/appcopy-operator/files/appcopy-operator.dashboard.json'),
};

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

/** The `groups:` of the PrometheusRule (what Prometheus loads). */
export function ruleGroups(): { name: string; rules: Rule[] }[] {
  return (
    parse(readFileSync(MONITORING.prometheusRule, 'utf8')) as {
      spec: { groups: { name: string; rules: Rule[] }[] };
    }
  ).spec.groups;
}

export function alertExpressions(): { alert: string; expr: string }[] {
  return ruleGroups().flatMap((g) =>
    g.rules.map((r) => ({ alert: r.alert ?? r.record ?? '', expr: r.expr })),
  );
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

// biome-ignore lint/suspicious/noExplicitAny: a Grafana dashboard is free-form JSON
export function dashboard(): Record<string, any> {
  return JSON.parse(readFileSync(MONITORING.dashboard, 'utf8'));
}

/**
 * Every PromQL expression of the dashboard: panel targets and query variables. Grafana's own
 * variables are replaced the way Grafana does before sending: $__rate_interval by a duration,
 * $namespace/$job (inside label matchers) by a regex.
 */
export function dashboardExpressions(): { where: string; expr: string }[] {
  const board = dashboard();
  const panels: Panel[] = (board.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const fromPanels = panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
  );
  const fromVariables = (
    board.templating.list as { name: string; type: string; query?: { query?: string } }[]
  )
    .filter((v) => v.type === 'query')
    .map((v) => {
      const match = /^label_values\((.*),\s*\w+\)$/.exec(v.query?.query ?? '');
      if (!match) throw new Error(`variable ${v.name}: expected label_values(<selector>, <label>)`);
      return { where: `variable ${v.name}`, expr: match[1]! };
    });
  return [...fromPanels, ...fromVariables].map(({ where, expr }) => ({
    where,
    expr: expr
      .replaceAll('$__rate_interval', '5m')
      .replaceAll('$__interval', '1m')
      .replace(/\$\{?(namespace|job)\}?/g, '.*'),
  }));
}

/** The metric names each expression reads, in order; rejects naming the first that does not parse. */
export async function metricNames(exprs: string[]): Promise<string[][]> {
  const tool = await ensureTool('promql-metric-names');
  const result = await runTool(tool, [], { input: JSON.stringify(exprs) });
  if (result.code !== 0) throw new Error(result.stderr.trim());
  return JSON.parse(result.stdout) as string[][];
}
