import { defineConfig } from 'vitest/config';

// Three suites with different costs and privileges:
// - unit: pure logic, fakes allowed, milliseconds.
// - integration: real local processes (an OpenSSH server on loopback, the built CLI); never changes the machine.
// - e2e: boots throwaway systemd hosts (root, Linux only); the only suite allowed to change a machine.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
