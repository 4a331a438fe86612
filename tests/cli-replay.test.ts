import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../contracts/locate.js';
import { runCli } from './browser/cli.js';

/**
 * run-config.json round trip: a run writes its effective options; the replay line of a check (`anychat-conform run
 * --config <out>/run-config.json --grep '…'`), executed as printed, reruns exactly that check with the same options.
 */
const root = mkdtempSync(join(tmpdir(), 'anychat-replay-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a replay line reruns the one check with the same options, and every run gets a fresh state dir', async () => {
  const out = join(root, 'first');
  mkdirSync(join(out, '.state'), { recursive: true });
  writeFileSync(join(out, '.state', 'stale.json'), JSON.stringify({ key: 'ws.send-ack', owner: 'WS.5', reason: 'from an earlier run' }));
  const args = ['run', '--serve', '--suite', 'rest', '--grep', 'REST\\.A1 |REST\\.A2 ', '--workers', '1', '--seed', '77', '--out', out,
    '--content-format', 'text', '--timeout-ms', '8000', '--private-conv', 'pair', '--device-type', 'ios', '--reporter', 'list,json'];
  const first = await runCli(args, { env: { ANYCHAT_VERIFY_CODE: '123456', ANYCHAT_ADMIN_USER: 'root', ANYCHAT_ADMIN_PASSWORD: 'never-in-the-file' }, cwd: root });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.ok(!existsSync(join(out, '.state', 'stale.json')), 'the state of an earlier run is gone');
  assert.doesNotMatch(first.stdout, /warning: --device-type/, 'ios is a contract value');

  const cfg = JSON.parse(readFileSync(join(out, 'run-config.json'), 'utf8'));
  assert.deepEqual(
    { serve: cfg.serve, suite: cfg.suite, seed: cfg.seed, strict: cfg.strict, contentFormat: cfg.contentFormat, timeoutMs: cfg.timeoutMs, privateConv: cfg.privateConv, deviceType: cfg.deviceType, adminUser: cfg.adminUser, env: cfg.env },
    { serve: true, suite: ['rest'], seed: 77, strict: false, contentFormat: 'text', timeoutMs: 8000, privateConv: 'pair', deviceType: 'ios', adminUser: 'root', env: { ANYCHAT_VERIFY_CODE: '123456' } },
  );
  assert.ok(!JSON.stringify(cfg).includes('never-in-the-file'), 'no password in the file');

  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.deepEqual(report.checks.map((c: any) => [c.id, c.outcome]), [['REST.A1', 'passed'], ['REST.A2', 'passed']]);
  const a2 = report.checks.find((c: any) => c.id === 'REST.A2');
  assert.equal(a2.replay, `anychat-conform run --config first/run-config.json --grep '\\bREST\\.A2 '`, 'short and exact, relative to where the run started');
  assert.ok(a2.replay.length < 100);

  // run the line exactly as printed (through a shell, from the same directory), with the env that the run had not
  const bin = join(packageRoot, 'bin', 'anychat-conform.js');
  const replay = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANYCHAT_')));
    const child = spawn('sh', ['-c', `${a2.replay.replace(/^anychat-conform /, `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} `)} --out second`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let o = '';
    child.stdout.on('data', (d) => (o += d));
    child.stderr.on('data', (d) => (o += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: o });
    });
  });
  assert.equal(replay.code, 0, replay.out);
  assert.match(replay.out, /seed 77 · suites rest/);
  assert.match(replay.out, /^✓ REST\.A2 MUST .* \(\d+(\.\d)? m?s\)$/m, 'progress names the check');
  const again = JSON.parse(readFileSync(join(root, 'second', 'report.json'), 'utf8'));
  assert.deepEqual(again.checks.map((c: any) => c.id), ['REST.A2'], 'exactly the one check');
  assert.equal(again.run.seed, 77);
  const cfg2 = JSON.parse(readFileSync(join(root, 'second', 'run-config.json'), 'utf8'));
  const strip = (c: any) => ({ ...c, $comment: undefined, grep: undefined });
  assert.deepEqual(strip(cfg2), strip(cfg), 'the replay ran with the same effective options (env variables included)');
});
