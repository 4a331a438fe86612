import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The HTML report of a real faulted run (global-setup.ts), opened offline in headless chromium. */
const dir = () => process.env.REPORT_UNDER_TEST!;
const report = () => JSON.parse(readFileSync(join(dir(), 'report.json'), 'utf8'));

/** Open the report with every non-file request blocked and recorded; page errors are recorded too. */
async function openReport(page: Page): Promise<{ outside: string[]; pageErrors: string[] }> {
  const outside: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) outside.push(r.url());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route(/^(?!file:|data:)/, (route) => route.abort());
  await page.goto(pathToFileURL(join(dir(), 'report.html')).href);
  return { outside, pageErrors };
}

const visible = (page: Page) => page.locator('.check:visible');

test('renders header, certificate refusal, scores and coverage without any network', async ({ page }, testInfo) => {
  const r = report();
  const { outside, pageErrors } = await openReport(page);
  await expect(page).toHaveTitle(/AnyChat conformance/);
  await expect(page.locator('#verdict')).toContainText('NONCONFORMANT');
  const run = page.locator('#run');
  await expect(run).toContainText(r.run.target);
  await expect(run).toContainText(r.run.contract.digest);
  await expect(run).toContainText(r.run.contract.commit);
  await expect(run).toContainText(String(r.run.seed));
  await expect(run).toContainText('grpc.unimplemented');
  await expect(page.locator('#hashes tr')).toHaveCount(Object.keys(r.run.contract.hashes).length);
  await expect(page.locator('#certificate')).toContainText('No certificate was issued');
  await expect(page.locator('#certificate')).toContainText('GRPC.GR1');
  const c = r.coverage;
  await expect(page.locator('#cov-rpc .num')).toHaveText(`${c.rpcs.covered}/${c.rpcs.total}`);
  await expect(page.locator('#cov-rest .num')).toHaveText(`${c.restOperations.covered}/78`);
  await expect(page.locator('#cov-ws .num')).toHaveText(`${c.wsMessages.covered}/5`);
  await expect(page.locator('#cov-notif .num')).toHaveText(`${c.notificationTypes.covered}/40`);
  const must = r.summary.byLevel.MUST;
  await expect(page.locator('#score tr.total td').first()).toContainText(`${must.passed}/${must.total}`);
  await expect(page.locator('.check')).toHaveCount(r.checks.length);
  await expect(page.locator('#shown')).toHaveText(`${r.checks.length} of ${r.checks.length} checks`);
  const shot = testInfo.outputPath('report-overview.png');
  await page.screenshot({ path: shot, fullPage: false });
  await testInfo.attach('report-overview', { path: shot, contentType: 'image/png' });
  expect(outside, 'requests that left the file').toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('filters by outcome, level, suite and text, and from the outcome matrix', async ({ page }) => {
  const r = report();
  const { pageErrors } = await openReport(page);
  const count = (pred: (c: any) => boolean) => r.checks.filter(pred).length;
  const failed = count((c: any) => c.outcome === 'failed');
  expect(failed).toBeGreaterThan(1);

  await page.selectOption('#f-outcome', 'failed');
  await expect(visible(page)).toHaveCount(failed);
  for (const o of await visible(page).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.outcome))) expect(o).toBe('failed');
  await expect(page.locator('#shown')).toHaveText(`${failed} of ${r.checks.length} checks`);

  await page.selectOption('#f-level', 'MUST');
  await expect(visible(page)).toHaveCount(count((c: any) => c.outcome === 'failed' && c.level === 'MUST'));
  await expect(page.locator('.check[data-id="GRPC.GR1"]')).toBeVisible();

  await page.selectOption('#f-outcome', '');
  await page.selectOption('#f-level', '');
  await page.selectOption('#f-suite', 'grpc');
  await expect(visible(page)).toHaveCount(count((c: any) => c.suite === 'grpc'));

  await page.fill('#f-text', 'getmessagebyid');
  await expect(visible(page)).toHaveCount(count((c: any) => `${c.id} ${c.title} ${c.cites.join(' ')}`.toLowerCase().includes('getmessagebyid')));

  await page.fill('#f-text', '');
  await page.locator('#outcomes tr.total button[data-outcome="passed"]').click();
  await expect(page.locator('#f-outcome')).toHaveValue('passed');
  await expect(visible(page)).toHaveCount(count((c: any) => c.outcome === 'passed'));
  expect(pageErrors).toEqual([]);
});

test('a failure expands with citation, expected vs observed, exchanges and the replay command', async ({ page }, testInfo) => {
  const r = report();
  await openReport(page);
  const target = r.checks.find((c: any) => c.outcome === 'failed' && c.failure && 'expected' in c.failure && 'observed' in c.failure);
  expect(target, 'a failed check with expected vs observed').toBeTruthy();
  const item = page.locator(`.check[data-id="${target.id}"]`);
  const body = item.locator('.body');
  await expect(body).toBeHidden();
  await item.locator('summary').first().click();
  await expect(body).toBeVisible();
  await expect(body.locator('.msg')).toContainText(target.failure.message.split('\n')[0]);
  await expect(body.locator('pre.expected')).toContainText(JSON.stringify(target.failure.expected).slice(0, 20).replace(/^"|"$/g, ''));
  await expect(body.locator('pre.observed')).toBeVisible();
  await expect(body.locator('ul.cites')).toContainText(target.cites[0]);
  await expect(body.locator('pre.replay').first()).toHaveText(target.replay);
  // replays name the run's effective options file (run-config.json), so they rerun exactly what this run did
  expect(target.replay).toMatch(/^anychat-conform run --config \S+\/run-config\.json --grep '.+'$/);
  if (target.exchanges) await expect(body.locator('ol.exchanges > li')).toHaveCount(Math.min(target.exchanges.count, 60));
  await body.locator('ol.exchanges > li summary').first().click();
  await expect(body.locator('ol.exchanges > li pre').first()).toBeVisible();
  await item.scrollIntoViewIfNeeded();
  const shot = testInfo.outputPath('report-failure.png');
  await item.screenshot({ path: shot });
  await testInfo.attach('report-failure', { path: shot, contentType: 'image/png' });

  // "Expand failures" opens every visible failed check.
  await page.click('#open-failures');
  const failedIds: string[] = r.checks.filter((c: any) => c.outcome === 'failed').map((c: any) => c.id);
  for (const id of failedIds) await expect(page.locator(`.check[data-id="${id}"] details`).first()).toHaveAttribute('open', '');
});
