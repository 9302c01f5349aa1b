// The operator's own metrics as Prometheus reads them: every follow outcome is there from the
// start (an alert on its increase sees the first one), and each ending counts once.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSlots } from '../../../packages/kube-runtime/src/slots.ts';
import { createOperatorMetrics } from '../../../src/metrics.ts';

describe('appcopy_follow_outcomes_total', () => {
  it('has a zero series for every way following can end, before any has', async () => {
    const registry = new Registry();
    createOperatorMetrics(registry, () => [{ key: 'Default', copySlots: createSlots('copy calls', 1) }]);
    const text = await registry.metrics();
    for (const reason of ['ComponentsRunning', 'ComponentsFailed', 'ComponentsMissing', 'FollowTimedOut']) {
      expect(text).toContain(`appcopy_follow_outcomes_total{reason="${reason}"} 0`);
    }
  });

  it('counts each ending under its reason', async () => {
    const registry = new Registry();
    const metrics = createOperatorMetrics(registry, () => [
      { key: 'Default', copySlots: createSlots('copy calls', 1) },
    ]);
    metrics.onFollowOutcome('ComponentsFailed');
    metrics.onFollowOutcome('ComponentsFailed');
    metrics.onFollowOutcome('ComponentsRunning');
    const text = await registry.metrics();
    expect(text).toContain('appcopy_follow_outcomes_total{reason="ComponentsFailed"} 2');
    expect(text).toContain('appcopy_follow_outcomes_total{reason="ComponentsRunning"} 1');
    expect(text).toContain('appcopy_follow_outcomes_total{reason="FollowTimedOut"} 0');
  });
});

describe('appcopy_console_release_info', () => {
  it('has one series per console, replaced when its release changes and gone with the console', async () => {
    const registry = new Registry();
    const metrics = createOperatorMetrics(registry, () => []);
    const series = async () =>
      (await registry.metrics())
        .split('\n')
        .filter((line) => line.startsWith('appcopy_console_release_info{'));
    metrics.onConsoleRelease('Default', 'v6.9.8-release-1a2b3c4-2026031512');
    metrics.onConsoleRelease('ClusterRainbondConsole/old', undefined);
    expect(await series()).toEqual([
      'appcopy_console_release_info{console="Default",release="v6.9.8-release-1a2b3c4-2026031512"} 1',
      'appcopy_console_release_info{console="ClusterRainbondConsole/old",release=""} 1',
    ]);
    metrics.onConsoleRelease('Default', 'v6.10.0-release');
    metrics.onConsoleReadiness('ClusterRainbondConsole/old', undefined);
    expect(await series()).toEqual([
      'appcopy_console_release_info{console="Default",release="v6.10.0-release"} 1',
    ]);
  });
});
