import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * The conformance suites as Playwright projects (one per suite). `anychat-conform run` drives this config:
 * it sets ANYCHAT_* env, picks projects with --project, and adds the conformance reporter. API suites need no browser;
 * only `browser` launches Debian's chromium.
 */
// Prerequisites seen broken in this run (fixtures/prereq.ts), shared by every worker: set once here, inherited by workers.
process.env.ANYCHAT_STATE_DIR ||= mkdtempSync(join(tmpdir(), 'anychat-state-'));
const workers = Number(process.env.ANYCHAT_WORKERS || 2);
// ANYCHAT_PW_REPORTERS: a JSON reporter list (what `anychat-conform run` passes), or 'name[=outputFile],…' by hand.
const reportersEnv = process.env.ANYCHAT_PW_REPORTERS ?? '';
const reporters: any[] = reportersEnv.trim().startsWith('[')
  ? JSON.parse(reportersEnv)
  : reportersEnv.split(',').filter(Boolean).map((r) => (r.includes('=') ? [r.split('=')[0]!, { outputFile: r.split('=')[1] }] : [r]));
// The run's metadata (target, seed, contract digest…) travels in the config, so blob reports carry it to `report merge`.
const runMetadata = process.env.ANYCHAT_RUN_METADATA ? { anychat: JSON.parse(process.env.ANYCHAT_RUN_METADATA) } : {};

export default defineConfig({
  testDir: './suites',
  outputDir: process.env.ANYCHAT_PW_OUTPUT || './test-results',
  timeout: Number(process.env.ANYCHAT_CHECK_TIMEOUT_MS || 60_000),
  fullyParallel: true,
  workers: Number.isFinite(workers) && workers > 0 ? workers : 2,
  retries: 0,
  forbidOnly: true,
  reporter: reporters.length > 0 ? reporters : [['list']],
  metadata: runMetadata,
  projects: [
    { name: 'rest', testDir: './suites/rest' },
    { name: 'security', testDir: './suites/security' },
    { name: 'ws', testDir: './suites/ws' },
    { name: 'grpc', testDir: './suites/grpc' },
    { name: 'xproto', testDir: './suites/xproto' },
    { name: 'ordering', testDir: './suites/ordering' },
    {
      name: 'browser',
      testDir: './suites/browser',
      use: { browserName: 'chromium', headless: true, launchOptions: { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' } },
    },
  ],
});
