import { defineConfig } from 'vitest/config';
import { E2E_TESTS } from './vitest.e2e.config.ts';

// `npm test`: everything but the slow end-to-end tests, which `npm run test:e2e` runs (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...E2E_TESTS],
    // Loopback servers and real child processes: give slow CI machines room, but never hide a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
