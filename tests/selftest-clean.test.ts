/**
 * No false alarms (issue 8 a): the clean reference server passes every MUST and SHOULD check of every API suite,
 * for three different seeds. Also proves the suites walk every REST operation and every rpc without errors.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startServer } from '../reference-server/server.js';
import { runSuites } from './support/run-suites.js';

const SUITES = ['rest', 'security', 'ws', 'grpc', 'xproto', 'ordering'];

for (const seed of [1, 2, 3]) {
  test(`clean reference server: no MUST/SHOULD failure with seed ${seed}`, { timeout: 900_000 }, async () => {
    const server = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
    try {
      const run = await runSuites({ url: server.httpUrl, grpc: server.grpcAddress, suites: SUITES, seed, workers: 2, env: { ANYCHAT_JWT_SECRET: server.ctx.config.jwtSecret } });
      assert.ok(run.outcomes.length > 150, `only ${run.outcomes.length} checks ran: ${run.stderr.slice(-2000)}`);
      const falseAlarms = run.outcomes.filter((o) => (o.status === 'failed' || o.status === 'timedOut') && o.level !== 'MAY');
      assert.deepEqual(falseAlarms.map((o) => `${o.id} [${o.level}]: ${o.message}`), [], `seed ${seed}: checks failing on the clean server`);
      const skipped = run.outcomes.filter((o) => o.status === 'skipped');
      assert.ok(skipped.length < run.outcomes.length / 10, `${skipped.length} checks skipped: ${skipped.map((o) => o.id).join(', ')}`);
    } finally {
      await server.close();
    }
  });
}

test('browser readiness checks pass in Debian chromium against the reference server', { timeout: 300_000, skip: existsSync('/usr/bin/chromium') || process.env.CHROMIUM_PATH ? false : 'no chromium (apt-get install -y chromium)' }, async () => {
  const server = await startServer({ port: 0, grpcPort: -1, db: ':memory:' });
  try {
    const run = await runSuites({ url: server.httpUrl, suites: ['browser'], workers: 1 });
    assert.ok(run.outcomes.length >= 2, run.stderr.slice(-2000));
    assert.deepEqual(run.outcomes.filter((o) => o.status !== 'passed').map((o) => `${o.id}: ${o.status} ${o.message ?? ''}`), []);
  } finally {
    await server.close();
  }
});
