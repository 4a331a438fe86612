import { defineConfig } from '@playwright/test';

/**
 * Real Playwright results for the report tests (tests/report-outcomes.test.ts): a spec whose checks pass, fail,
 * block on a broken prerequisite and skip as not applicable, reported by the conformance and progress reporters.
 * ANYCHAT_RAW_RESULTS and ANYCHAT_STATE_DIR come from the test.
 */
export default defineConfig({
  testDir: '.',
  outputDir: process.env.ANYCHAT_PW_OUTPUT || '../../test-results/report-blocked',
  timeout: 30_000,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: [['../../reports/progress-reporter.ts'], ['../../reports/conformance-reporter.ts']],
  projects: [{ name: 'rest', testDir: '.' }],
});
