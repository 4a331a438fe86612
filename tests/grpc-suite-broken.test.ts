/**
 * Every per-rpc gRPC check judges its rpc: against a server that implements every contract rpc but answers each with
 * an empty message (all defaults), each `GRPC.<Service>.<Rpc>` check fails — or, when its setup needs another rpc that
 * answered nothing usable, is blocked citing that rpc's check, which failed in the same run — while GR1 (the rpcs
 * exist) passes.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadContracts } from '../contracts/index.js';
import { loadClientDefinition } from '../fixtures/grpc.js';
import { runSuites } from './support/run-suites.js';

// Every per-rpc check fails here, and Playwright starts a new worker process after each failure: about 90 worker
// starts, 1.7 min on a quiet 2-core machine, far more when the cores are busy — hence the long limit.
test('against a gRPC server answering every rpc with an empty message, every per-rpc check fails', { timeout: 900_000 }, async () => {
  const contracts = loadContracts();
  const def = loadClientDefinition(contracts);
  const server = new grpc.Server();
  for (const fullService of contracts.catalogue.services) {
    let ctor: any = def;
    for (const part of fullService.split('.')) ctor = ctor[part];
    const impl: grpc.UntypedServiceImplementation = {};
    for (const name of Object.keys(ctor.service)) impl[name] = (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {});
    server.addService(ctor.service, impl);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  try {
    // No HTTP target: the per-rpc checks build their data over gRPC only.
    const run = await runSuites({ url: 'http://127.0.0.1:1', grpc: `127.0.0.1:${port}`, suites: ['grpc'], workers: 2, env: { ANYCHAT_TIMEOUT_MS: '3000' }, timeoutMs: 840_000 });
    const perRpc = run.outcomes.filter((o) => /^GRPC\.\w+Service\.\w+$/.test(o.id));
    assert.equal(perRpc.length, contracts.catalogue.rpcs.length, run.stderr.slice(-2000));
    const failed = new Set(perRpc.filter((o) => o.status === 'failed').map((o) => o.id));
    const citesAFailure = (m: string | undefined) => /^blocked: /.test(m ?? '') && [...failed].some((id) => (m ?? '').endsWith(`see ${id}`));
    assert.deepEqual(perRpc.filter((o) => o.status !== 'failed' && !(o.status === 'skipped' && citesAFailure(o.message))).map((o) => `${o.id}: ${o.status} ${o.message ?? ''}`), [], 'per-rpc checks that neither failed nor were blocked by a failed rpc check');
    assert.ok(failed.has('GRPC.AuthService.Register'), 'Register answers an empty message: its own check fails');
    assert.ok(failed.size >= 10, `only ${failed.size} per-rpc checks failed on their own rpc`);
    assert.equal(run.outcomes.find((o) => o.id === 'GRPC.GR1')?.status, 'passed', 'every rpc exists, so GR1 passes');
    for (const id of ['GRPC.ERR1', 'GRPC.ERR2']) assert.equal(run.outcomes.find((o) => o.id === id)?.status, 'failed', id);
  } finally {
    server.forceShutdown();
  }
});
