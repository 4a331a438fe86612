import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../contracts/locate.js';
import { runCli } from './browser/cli.js';

/** Usage and setup errors: one line on stderr, exit 2, quickly, before any check runs. */
const LIMIT_MS = 10_000;

async function usageError(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(['run', ...args], { timeoutMs: LIMIT_MS });
  assert.equal(r.killed, false, `still running after ${LIMIT_MS} ms: ${args.join(' ')}`);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const first = r.stderr.trim().split('\n')[0] ?? '';
  assert.match(first, pattern, `stderr for ${args.join(' ')}`);
  // commander adds its "(run with --help for usage)" hint after its own errors; ours are exactly one line
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
}

test('a bad target URL exits 2 with one line naming it', async () => {
  await usageError(['ftp://example.com'], /invalid target URL "ftp:\/\/example\.com".*scheme/);
  await usageError(['not a url'], /invalid target URL "not a url"/);
  await usageError([], /no target: pass a URL .* or --serve/);
});

test('an unknown flag exits 2', async () => {
  await usageError(['--serve', '--no-such-flag'], /unknown option '--no-such-flag'/);
});

test('a bad contract bundle exits 2', async () => {
  await usageError(['--serve', '--contracts', '/nonexistent/bundle'], /contract bundle not found: \/nonexistent\/bundle/);
});

test('bad option values exit 2 naming the option', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--serve', '--workers', '0'], /--workers: expected an integer from 1 to 64/],
    [['--serve', '--shard', '3/2'], /--shard: expected i\/n/],
    [['--serve', '--suite', 'rest,nope'], /--suite: unknown value\(s\) nope/],
    [['--serve', '--seed', 'abc'], /--seed: expected an integer/],
    [['--serve', '--grep', '('], /--grep: not a regular expression/],
    [['--serve', '--reporter', 'pdf'], /--reporter: unknown value\(s\) pdf/],
    [['--serve', '--fault', 'no.such-fault'], /unknown fault id\(s\): no\.such-fault/],
    [['http://127.0.0.1:1', '--fault', 'ws.no-pong'], /--fault needs --serve/],
    [['--serve', '--expectations', '/nonexistent/expect.yaml'], /cannot read expectations file/],
    [['--serve', '--grpc-service', 'NoSuchService=127.0.0.1:1'], /--grpc-service: unknown service "NoSuchService"/],
    [['--serve', '--grpc', 'not-an-address'], /--grpc: expected host:port/],
    [['--serve', '--shard', '1/2', '--certify'], /--certify covers a whole run/],
    [['http://127.0.0.1:1', '--serve'], /either a target URL or --serve/],
    [['--serve', '--content-format', 'xml'], /--content-format: unknown value\(s\) xml; expected json, text/],
    [['--serve', '--admin-url', 'ftp://x/admin'], /--admin-url: scheme must be http or https/],
  ];
  for (const [args, pattern] of cases) await usageError(args, pattern);
});

test('option values from the environment are validated the same way', async () => {
  const r = await runCli(['run', '--serve'], { timeoutMs: LIMIT_MS, env: { ANYCHAT_WORKERS: 'many' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ANYCHAT_WORKERS: expected an integer/);
});

test('an unreachable target exits 2 with the reason, well within 10 s', async () => {
  const r = await runCli(['run', 'http://127.0.0.1:1'], { timeoutMs: LIMIT_MS });
  assert.equal(r.killed, false);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  assert.match(r.stdout, /^contract \S+ · digest [0-9a-f]{64}/, 'the contract version is printed first');
});

test('a target that accepts connections but never answers exits 2 after the 5 s probe', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const r = await runCli(['run', `http://127.0.0.1:${port}`], { timeoutMs: LIMIT_MS });
    assert.equal(r.killed, false);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: no answer within 5 s`));
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

test('run --help documents every ANYCHAT_* variable the suites and fixtures read, and the exit codes', async () => {
  const r = await runCli(['run', '--help'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0);
  const read = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/ANYCHAT_[A-Z][A-Z0-9_]*/g)) read.add(m[0]);
    }
  };
  walk(join(packageRoot, 'fixtures'));
  walk(join(packageRoot, 'suites'));
  for (const m of readFileSync(join(packageRoot, 'playwright.config.ts'), 'utf8').matchAll(/ANYCHAT_[A-Z][A-Z0-9_]*/g)) read.add(m[0]);
  // internal plumbing between the CLI and Playwright, not for users
  for (const k of ['ANYCHAT_PW_REPORTERS', 'ANYCHAT_PW_OUTPUT', 'ANYCHAT_RUN_METADATA', 'ANYCHAT_RAW_RESULTS']) read.delete(k);
  assert.ok(read.has('ANYCHAT_JWT_SECRET') && read.has('ANYCHAT_REST_PREFIX'), [...read].join(' '));
  const missing = [...read].filter((k) => !r.stdout.includes(k.replace(/_$/, '_<')) && !r.stdout.includes(k));
  assert.deepEqual(missing, [], `not in run --help:\n${r.stdout}`);
  assert.match(r.stdout, /--admin-url <url>/);
  assert.match(r.stdout, /--content-format <format>/);
  assert.match(r.stdout, /3 incomplete/);
  assert.match(r.stdout, /no verdict \(no MUST check ran/);
});

test('a --device-type outside the contract enum prints a warning naming the enum', async () => {
  // not a speed test: a generous limit for a loaded machine
  const r = await runCli(['run', 'http://127.0.0.1:1', '--device-type', 'iOS'], { timeoutMs: 60_000 });
  assert.equal(r.code, 2, 'the unreachable target still ends the run');
  assert.match(r.stdout, /^warning: --device-type "iOS" is not one of the contract's deviceType values \(ios, android, web; /m);
  const ok = await runCli(['run', 'http://127.0.0.1:1', '--device-type', 'web'], { timeoutMs: 60_000 });
  assert.doesNotMatch(ok.stdout, /warning: --device-type/);
});
