import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and fast; `integration` shares one real kube-apiserver + etcd
// started by the global setup (built from the Go module proxy on first use) and gives each
// test its own namespace. Integration tests never skip: if the control plane cannot start,
// the global setup throws and the run fails with the reason.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print the plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/control-plane/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: the API server, etcd, the operator under test and vitest share them.
          maxWorkers: 2,
        },
      },
    ],
  },
});
