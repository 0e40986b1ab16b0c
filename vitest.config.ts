import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // A PostgreSQL server for the PostgreSQL backend's tests (TEST_DATABASE_URL, or a throwaway cluster).
    globalSetup: ['test/postgres-global-setup.ts'],
  },
});
