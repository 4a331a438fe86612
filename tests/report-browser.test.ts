import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../contracts/locate.js';

/**
 * The HTML report in a real browser: runs tests/browser/*.spec.ts (tests/playwright.config.ts) with Debian's
 * headless chromium. Screenshots land in test-results/report-browser/.
 */
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

test('the HTML report renders, filters and expands failures in headless chromium', { skip: existsSync(chromium) ? false : `no chromium at ${chromium} (apt-get install -y chromium)` }, async () => {
  const cli = join(packageRoot, 'node_modules', '@playwright', 'test', 'cli.js');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANYCHAT_')));
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'test', '--config', join(packageRoot, 'tests', 'playwright.config.ts'), '--reporter', 'line'], {
      cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /3 passed/);
});
