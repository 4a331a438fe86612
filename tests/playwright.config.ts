import { defineConfig } from '@playwright/test';

/**
 * The project's own browser tests of the HTML report (not a conformance suite): Debian's chromium, headless,
 * offline. Run: npx playwright test --config tests/playwright.config.ts
 */
export default defineConfig({
  testDir: './browser',
  outputDir: '../test-results/report-browser',
  globalSetup: './browser/global-setup.ts',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    offline: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
  },
});
