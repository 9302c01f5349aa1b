// What the chart carries from elsewhere in the repository stays identical to its source: the
// CRD (crds/ is its one source; Helm wants it in the chart's own crds/), the alerts and the
// dashboard (deploy/components/monitoring). The alerts pass the real `promtool check rules`,
// and every expression of the alerts and the dashboard parses with Prometheus' own parser.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CHART_DIR, renderChart } from '../../support/tools/helm-chart.ts';
import {
  alertExpressions,
  dashboard,
  dashboardExpressions,
  MONITORING,
  metricNames,
  ruleGroups,
} from '../../support/tools/monitoring-files.ts';
import { runTool } from '../../support/tools/run-tool.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';
import { REPO_ROOT } from './kustomize.ts';

beforeAll(async () => {
  await Promise.all([ensureTool('helm'), ensureTool('promtool')]);
  await ensureTool('promql-metric-names');
}, TOOL_BUILD_TIMEOUT_MS);

const resync = (from: string, to: string) => `out of date: run \`cp ${from} ${to}\``;

describe('the CRDs', () => {
  const crdFiles = readdirSync(join(REPO_ROOT, 'crds')).filter((f) => f.endsWith('.yaml'));

  it('is carried by the chart byte for byte as crds/ has it, and nothing else is', () => {
    expect(readdirSync(join(CHART_DIR, 'crds')).sort()).toEqual(crdFiles.sort());
    for (const file of crdFiles) {
      expect(
        readFileSync(join(CHART_DIR, 'crds', file), 'utf8'),
        resync(`crds/${file}`, 'deploy/helm/appcopy-operator/crds/'),
      ).toBe(readFileSync(join(REPO_ROOT, 'crds', file), 'utf8'));
    }
  });

  it('is what `helm template --include-crds` installs: AppCopy, RainbondConsole, ClusterRainbondConsole', async () => {
    const crds = (await renderChart({}, { includeCrds: true })).filter(
      (o) => o.kind === 'CustomResourceDefinition',
    );
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      'appcopies.openapi.rainbond.io',
      'clusterrainbondconsoles.openapi.rainbond.io',
      'rainbondconsoles.openapi.rainbond.io',
    ]);
    for (const file of crdFiles) {
      const crd = parse(readFileSync(join(REPO_ROOT, 'crds', file), 'utf8'));
      expect(crds.find((c) => c.metadata.name === crd.metadata.name)).toEqual(crd);
    }
  });

  it('is each listed in crds/Kustomization, so the kustomize base installs the same CRDs', () => {
    const kustomization = parse(readFileSync(join(REPO_ROOT, 'crds', 'Kustomization'), 'utf8'));
    expect([...kustomization.resources].sort()).toEqual(crdFiles.sort());
  });
});

describe('the alerts', () => {
  it('are carried by the chart as the PrometheusRule of deploy/components/monitoring has them', () => {
    expect(
      parse(readFileSync(MONITORING.chartRules, 'utf8')),
      'files/appcopy-operator.rules.yaml is out of date',
    ).toEqual({ groups: ruleGroups() });
  });

  it('render into the chart’s PrometheusRule unchanged, with their {{ $labels }} templates intact', async () => {
    const [rule] = (await renderChart({ prometheusRule: { enabled: true } })).filter(
      (o) => o.kind === 'PrometheusRule',
    );
    expect(rule?.spec).toEqual({ groups: ruleGroups() });
    expect(JSON.stringify(rule?.spec)).toContain('{{ $labels.namespace }}');
  });

  it('pass `promtool check rules` (the chart’s file, and the component’s spec)', async () => {
    const promtool = await ensureTool('promtool');
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-rules-'));
    try {
      const fromComponent = join(dir, 'component.rules.yaml');
      writeFileSync(fromComponent, stringify({ groups: ruleGroups() }));
      for (const file of [MONITORING.chartRules, fromComponent]) {
        const result = await runTool(promtool, ['check', 'rules', '--lint-fatal', file]);
        expect(`${result.stdout}${result.stderr}`, file).toContain(
          `SUCCESS: ${alertExpressions().length} rules found`,
        );
        expect(result.code, result.stderr).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a broken expression in `promtool check rules`, so the success above means something', async () => {
    const promtool = await ensureTool('promtool');
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-rules-'));
    try {
      const broken = ruleGroups();
      broken[0]!.rules[0]!.expr = 'sum by (namespace (leader_election_master_status)';
      const file = join(dir, 'broken.rules.yaml');
      writeFileSync(file, stringify({ groups: broken }));
      const result = await runTool(promtool, ['check', 'rules', file]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cover what an on-call person must hear about', () => {
    expect(alertExpressions().map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'AppCopyOperatorNoLeader',
        'AppCopyCopyCallStuck',
        'AppCopyVerificationBlocked',
        'AppCopyCopiesFailing',
        'AppCopyReconcileErrors',
        'AppCopyConsoleFailing',
      ]),
    );
    for (const group of ruleGroups())
      for (const rule of group.rules) {
        const r = rule as { labels?: { severity?: string }; annotations?: Record<string, string> };
        expect(['critical', 'warning', 'info'], rule.alert).toContain(r.labels?.severity);
        expect(r.annotations?.summary, rule.alert).toBeTruthy();
        expect(r.annotations?.description, rule.alert).toBeTruthy();
      }
  });
});

describe('the dashboard', () => {
  it('is carried by the chart byte for byte', () => {
    expect(
      readFileSync(MONITORING.chartDashboard, 'utf8'),
      resync(MONITORING.dashboard, 'deploy/helm/appcopy-operator/files/'),
    ).toBe(readFileSync(MONITORING.dashboard, 'utf8'));
  });

  it('renders into the chart’s sidecar ConfigMap as that JSON', async () => {
    const [configMap] = (await renderChart({ grafanaDashboard: { enabled: true } })).filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'),
    );
    expect(configMap?.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap?.data['appcopy-operator.json'])).toEqual(dashboard());
  });

  it('is a Grafana dashboard whose panels do not overlap and each query a Prometheus data source variable', () => {
    const board = dashboard();
    expect(board.uid).toBe('appcopy-operator');
    const cells = new Set<string>();
    for (const panel of board.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${panel.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
      if (panel.type !== 'row')
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });
});

describe('every PromQL expression of the alerts and the dashboard', () => {
  it('parses with Prometheus’ parser and reads at least one metric', async () => {
    const all = [...alertExpressions(), ...dashboardExpressions()];
    const names = await metricNames(all.map((e) => e.expr));
    names.forEach((n, i) => {
      expect(n.length, JSON.stringify(all[i])).toBeGreaterThan(0);
    });
  });

  it('is refused by the parser when broken, so the above means something', async () => {
    await expect(metricNames(['rate(appcopy_copies_total[5m]'])).rejects.toThrow(/does not parse/);
  });
});
