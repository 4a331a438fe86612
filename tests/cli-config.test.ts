import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig, DEFAULT_SUITES } from '../cli/config.js';
import { SetupError } from '../contracts/errors.js';

/** Option resolution: flag > ANYCHAT_* env > config file > default, every source validated. */
function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anychat-config-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('defaults: all suites but browser, random seed, anychat-report, list+html+junit+json', withDir(async (dir) => {
  const c = await resolveRunConfig({ url: 'http://example.test:8080/ignored/path' }, {}, { cwd: dir, isTTY: true });
  assert.equal(c.url, 'http://example.test:8080');
  assert.deepEqual(c.suites, DEFAULT_SUITES);
  assert.ok(!c.suites.includes('browser'));
  assert.equal(c.seedGiven, false);
  assert.ok(Number.isInteger(c.seed) && c.seed >= 0);
  assert.equal(c.out, join(dir, 'anychat-report'));
  assert.equal(c.progress, 'list');
  assert.deepEqual([...c.files].sort(), ['html', 'json', 'junit']);
  assert.equal(c.strict, false);
  assert.equal(c.repeat, 1);
}));

test('progress falls back to the line reporter without a TTY or with CI=true; dot stays dot', withDir(async (dir) => {
  assert.equal((await resolveRunConfig({ url: 'http://x.test' }, {}, { cwd: dir, isTTY: false })).progress, 'line');
  assert.equal((await resolveRunConfig({ url: 'http://x.test' }, { CI: 'true' }, { cwd: dir, isTTY: true })).progress, 'line');
  assert.equal((await resolveRunConfig({ url: 'http://x.test', reporter: 'dot,json' }, { CI: 'true' }, { cwd: dir, isTTY: true })).progress, 'dot');
  const quiet = await resolveRunConfig({ url: 'http://x.test', reporter: 'json' }, {}, { cwd: dir, isTTY: true });
  assert.equal(quiet.progress, null);
  assert.deepEqual([...quiet.files], ['json']);
}));

test('flag beats env beats config file', withDir(async (dir) => {
  writeFileSync(join(dir, 'anychat-conform.config.json'), JSON.stringify({ url: 'http://from-file.test', workers: 3, seed: 1, suite: ['ws'], strict: true, grpcService: { 'anychat.auth.AuthService': 'auth.test:9001' } }));
  const fileOnly = await resolveRunConfig({}, {}, { cwd: dir });
  assert.equal(fileOnly.url, 'http://from-file.test');
  assert.equal(fileOnly.workers, 3);
  assert.deepEqual(fileOnly.suites, ['ws']);
  assert.equal(fileOnly.strict, true);
  assert.deepEqual(fileOnly.grpcServices, { 'anychat.auth.AuthService': 'auth.test:9001' });
  assert.equal(fileOnly.configFile, join(dir, 'anychat-conform.config.json'));

  const env = { ANYCHAT_TARGET: 'http://from-env.test', ANYCHAT_WORKERS: '4', ANYCHAT_STRICT: '0', ANYCHAT_GRPC_SERVICE_anychat_user_UserService: 'user.test:9002' };
  const envWins = await resolveRunConfig({}, env, { cwd: dir });
  assert.equal(envWins.url, 'http://from-env.test');
  assert.equal(envWins.workers, 4);
  assert.equal(envWins.strict, false);
  assert.equal(envWins.seed, 1, 'the file still supplies what env does not');
  assert.deepEqual(envWins.grpcServices, { 'anychat.user.UserService': 'user.test:9002' });

  const flagWins = await resolveRunConfig({ url: 'http://from-flag.test', workers: '5', suite: 'rest,grpc' }, env, { cwd: dir });
  assert.equal(flagWins.url, 'http://from-flag.test');
  assert.equal(flagWins.workers, 5);
  assert.deepEqual(flagWins.suites, ['rest', 'grpc']);
}));

test('a .ts config file and --config FILE are loaded', withDir(async (dir) => {
  writeFileSync(join(dir, 'custom.config.ts'), "const seed: number = 77;\nexport default { serve: true, seed, reporter: 'json,junit' };\n");
  const c = await resolveRunConfig({}, {}, { cwd: dir, configFlag: 'custom.config.ts' });
  assert.equal(c.serve, true);
  assert.equal(c.url, null);
  assert.equal(c.seed, 77);
  assert.deepEqual([...c.files].sort(), ['json', 'junit']);
}));

test('config-file problems are setup errors naming the file and key', withDir(async (dir) => {
  writeFileSync(join(dir, 'anychat-conform.config.json'), JSON.stringify({ url: 'http://x.test', wrokers: 2 }));
  await assert.rejects(resolveRunConfig({}, {}, { cwd: dir }), (e: unknown) => e instanceof SetupError && /unknown option "wrokers"/.test(e.message));
  writeFileSync(join(dir, 'anychat-conform.config.json'), JSON.stringify({ url: 'http://x.test', workers: 'lots' }));
  await assert.rejects(resolveRunConfig({}, {}, { cwd: dir }), (e: unknown) => e instanceof SetupError && /anychat-conform\.config\.json: workers: expected an integer/.test(e.message));
  writeFileSync(join(dir, 'anychat-conform.config.json'), '{ not json');
  await assert.rejects(resolveRunConfig({}, {}, { cwd: dir }), (e: unknown) => e instanceof SetupError && /cannot load config file/.test(e.message));
  await assert.rejects(resolveRunConfig({}, {}, { cwd: dir, configFlag: 'missing.json' }), (e: unknown) => e instanceof SetupError && /config file not found/.test(e.message));
}));

test('shards add the blob output; admin password needs a user', withDir(async (dir) => {
  const c = await resolveRunConfig({ serve: true, shard: '2/3', reporter: 'json' }, {}, { cwd: dir });
  assert.deepEqual(c.shard, { current: 2, total: 3 });
  assert.ok(c.files.has('blob'));
  await assert.rejects(resolveRunConfig({ serve: true, adminPassword: 'x' }, {}, { cwd: dir }), /--admin-password needs --admin-user/);
}));

test('--admin-url and --content-format from flag, env or config file; run-config.json notes and "env" are accepted, secrets are not', withDir(async (dir) => {
  const flags = await resolveRunConfig({ url: 'http://x.test', adminUrl: 'http://x.test:8011/api/admin/', contentFormat: 'text' }, {}, { cwd: dir });
  assert.equal(flags.adminUrl, 'http://x.test:8011/api/admin');
  assert.equal(flags.contentFormat, 'text');
  const env = await resolveRunConfig({ url: 'http://x.test' }, { ANYCHAT_ADMIN_URL: 'https://a.test/admin', ANYCHAT_CONTENT_FORMAT: 'json', ANYCHAT_DEBUG: '1' }, { cwd: dir });
  assert.deepEqual([env.adminUrl, env.contentFormat, env.debug], ['https://a.test/admin', 'json', true]);
  const file = join(dir, 'run-config.json');
  writeFileSync(file, JSON.stringify({ $comment: 'notes for people', url: 'http://x.test', adminUrl: 'http://x.test:8011/api/admin', contentFormat: 'text', env: { ANYCHAT_REST_PREFIX: '/api/v2' } }));
  const fromFile = await resolveRunConfig({}, {}, { cwd: dir, configFlag: file });
  assert.deepEqual([fromFile.adminUrl, fromFile.contentFormat, fromFile.passEnv], ['http://x.test:8011/api/admin', 'text', { ANYCHAT_REST_PREFIX: '/api/v2' }]);
  for (const [envObj, pattern] of [
    [{ ANYCHAT_JWT_SECRET: 'k' }, /ANYCHAT_JWT_SECRET is a secret/],
    [{ ANYCHAT_SEED: '1' }, /ANYCHAT_SEED has an option of its own/],
    [{ HOME: '/x' }, /"HOME" is not an ANYCHAT_\* variable/],
  ] as const) {
    writeFileSync(file, JSON.stringify({ url: 'http://x.test', env: envObj }));
    await assert.rejects(resolveRunConfig({}, {}, { cwd: dir, configFlag: file }), (e: unknown) => e instanceof SetupError && pattern.test(e.message));
  }
}));
