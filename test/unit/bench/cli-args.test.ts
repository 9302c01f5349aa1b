import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseBenchArgs } from '../../../bench/cli-args.ts';

const settingsOf = (argv: string[]) => {
  const parsed = parseBenchArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(parsed)}`);
  return parsed.options.settings;
};

describe('the benchmark command line', () => {
  it("runs the operator as its pod does by default: the Deployment's limits and NODE_OPTIONS", () => {
    expect(DEFAULT_SETTINGS.podLimits).toBe('deploy');
    expect(settingsOf([]).operatorNodeOptions).toBeUndefined();
  });

  it.each([
    [['--pod-limits', 'none'], 'none'],
    [['--pod-limits=deploy'], 'deploy'],
  ])('%j sets the pod limits to %s', (argv, mode) => {
    expect(settingsOf(argv).podLimits).toBe(mode);
  });

  it("--node-options '' runs the operator without NODE_OPTIONS, not with the Deployment's", () => {
    expect(settingsOf(['--node-options', '']).operatorNodeOptions).toBe('');
    expect(settingsOf(['--node-options=--max-semi-space-size=8']).operatorNodeOptions).toBe(
      '--max-semi-space-size=8',
    );
  });

  it('sizes the follow scenario and its poll interval', () => {
    expect(settingsOf(['--follow', '10', '--follow-interval=1s'])).toMatchObject({
      followSize: 10,
      followInterval: '1s',
    });
    expect(settingsOf(['--scenarios', 'follow']).scenarios).toEqual(['follow']);
  });

  it.each([
    [['--pod-limits', 'maybe'], '--pod-limits takes deploy or none (got maybe)'],
    [['--burst', '0'], '--burst must be a whole number >= 1 (got 0)'],
    [['--pod-limits'], '--pod-limits needs a value'],
    [['--follow-interval', 'soon'], '--follow-interval takes a duration like 250ms or 1s (got soon)'],
    [['--follow', '0'], '--follow must be a whole number >= 1 (got 0)'],
  ])('refuses %j with a message naming the option', (argv, message) => {
    expect(parseBenchArgs(argv)).toEqual({ kind: 'error', message });
  });
});
