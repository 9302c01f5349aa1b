import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCpuQuantity, parseMemoryQuantity, readDeploymentLimits } from '../../../bench/pod-limits.ts';

describe('the pod limits the benchmark runs the operator under', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['128974848', 128974848],
    ['129M', 129e6],
    ['1.5Gi', 1.5 * 2 ** 30],
  ])('reads the memory quantity %s', (quantity, bytes) => {
    expect(parseMemoryQuantity(quantity)).toBe(bytes);
  });

  it.each([
    ['1', 1000],
    ['500m', 500],
    ['1.5', 1500],
  ])('reads the CPU quantity %s', (quantity, millis) => {
    expect(parseCpuQuantity(quantity)).toBe(millis);
  });

  it.each(['', '512MB', '-1', 'lots'])('refuses %j as a memory quantity', (quantity) => {
    expect(() => parseMemoryQuantity(quantity)).toThrow('not a memory quantity');
  });

  it("takes deploy/base's limits and NODE_OPTIONS, the ones the pod runs with", () => {
    const file = fileURLToPath(new URL('../../../deploy/base/deployment.yaml', import.meta.url));
    expect(readDeploymentLimits(file)).toEqual({
      nodeOptions: '--max-semi-space-size=2',
      memory: '512Mi',
      cpu: '1',
      memoryBytes: 512 * 2 ** 20,
      cpuMillis: 1000,
    });
  });
});
