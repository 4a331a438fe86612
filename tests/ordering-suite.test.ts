/**
 * Self-test of the ordering suite (issue 6) against the real reference server over real sockets:
 * - clean server: every ordering check passes for 5 different seeds;
 * - each ordering fault: the check the catalogue names fails, with a property violation (not a transport error)
 *   shrunk to a counterexample of at most 6 commands;
 * - replay: the seed + path printed by a failure reproduce the same failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAULTS } from '../reference-server/faults.js';
import { startServer } from '../reference-server/server.js';
import { runSuites, type CheckOutcome } from './support/run-suites.js';

const ORDERING_IDS = ['ORD.P1', 'ORD.P1-GAPFREE', 'ORD.P2', 'ORD.P3', 'ORD.P4', 'ORD.P5', 'ORD.P6', 'ORD.P7', 'ORD.P8'];
const SEEDS = [11, 222, 3333, 44444, 555555];
const MAX_COUNTEREXAMPLE = 6;

interface OrderingResult {
  check: string;
  seed: number;
  replayArg: string;
  commands: number;
  shrinks: number;
  firstCommands: number;
  error?: string;
  violations: string[];
  note: string;
}

const grepFor = (id: string) => `${id.replace(/\./g, '\\.')} `;

function resultOf(o: CheckOutcome | undefined): OrderingResult | undefined {
  const body = o?.attachments?.['ordering-result'];
  return body ? (JSON.parse(body) as OrderingResult) : undefined;
}

/** Violation text without the run-specific ids and content tags, to compare two runs of the same case. */
const normalise = (s: string) => s.replace(/\b[mugp]_[A-Za-z0-9_-]+/g, '<id>').replace(/·[\w.-]+/g, '·<tag>');

async function withServer<T>(faults: string[], fn: (s: { url: string; grpc: string | null }) => Promise<T>): Promise<T> {
  const server = await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults });
  try {
    return await fn({ url: server.httpUrl, grpc: server.grpcAddress });
  } finally {
    await server.close();
  }
}

for (const seed of SEEDS) {
  test(`clean reference server: every ordering check passes (seed ${seed})`, { timeout: 300_000 }, async () => {
    await withServer([], async ({ url, grpc }) => {
      const t0 = Date.now();
      const run = await runSuites({ url, grpc, suites: ['ordering'], seed, workers: 2 });
      const ms = Date.now() - t0;
      const byId = new Map(run.outcomes.map((o) => [o.id, o]));
      assert.deepEqual([...byId.keys()].sort(), [...ORDERING_IDS].sort(), `ordering checks found: ${[...byId.keys()].join(', ')}; stderr: ${run.stderr.slice(-500)}`);
      for (const id of ORDERING_IDS) {
        const o = byId.get(id)!;
        assert.equal(o.status, 'passed', `${id} ${o.status} on the clean server (seed ${seed}):\n${o.message ?? ''}\n${o.attachments?.['ordering-counterexample'] ?? ''}`);
      }
      process.stdout.write(`ordering suite, clean, seed ${seed}: ${ms} ms\n`);
    });
  });
}

const ORDERING_FAULTS = FAULTS.filter((f) => f.suites.includes('ordering'));
const caught = new Map<string, OrderingResult>();

/**
 * Each ordering fault caught and shrunk — on the reference server as it is, and in single-socket mode
 * (dialect.single-socket: a second device's connect closes the first), where the model runs one device per user.
 */
for (const mode of [[], ['dialect.single-socket']]) {
  const modeText = mode.length ? ` (single-socket mode)` : '';
  for (const fault of ORDERING_FAULTS) {
    const id = fault.catches[0]!;
    test(`fault ${fault.id}${modeText}: ${id} fails with a counterexample of at most ${MAX_COUNTEREXAMPLE} commands`, { timeout: 300_000 }, async () => {
      await withServer([fault.id, ...mode], async ({ url, grpc }) => {
        const t0 = Date.now();
        // A generous search budget: on a loaded machine the default share of one check (a few seconds) can end the
        // search before a timing-dependent fault (reordered fan-out) shows; a caught fault stops the search early.
        const run = await runSuites({ url, grpc, suites: ['ordering'], seed: 7, workers: 1, grep: grepFor(id), env: { ANYCHAT_ORD_BUDGET_MS: '90000' } });
        const o = run.outcomes.find((x) => x.id === id);
        assert.ok(o, `${id} did not run: ${run.stderr.slice(-500)}`);
        assert.equal(o.status, 'failed', `${id} did not catch ${fault.id}${modeText}: ${o.status} ${o.message ?? ''}`);
        const r = resultOf(o);
        assert.ok(r, `${id} failed without an ordering-result attachment: ${o.message}`);
        assert.equal(r.error, undefined, `${id} failed with an error, not a property violation: ${r.error}`);
        assert.ok(r.violations.length > 0);
        assert.ok(r.commands <= MAX_COUNTEREXAMPLE, `counterexample of ${r.commands} commands (max ${MAX_COUNTEREXAMPLE}):\n${o.attachments?.['ordering-counterexample']}`);
        if (!mode.length) caught.set(fault.id, r);
        process.stdout.write(`fault ${fault.id}${modeText}: ${id} failed, counterexample ${r.commands} command(s) (from ${r.firstCommands}, ${r.shrinks} shrinks) in ${Date.now() - t0} ms — ${r.violations[0]}\n`);
      });
    });
  }
}

test('single-socket mode: every ordering check passes on the clean server, with one device per user', { timeout: 300_000 }, async () => {
  await withServer(['dialect.single-socket'], async ({ url, grpc }) => {
    const run = await runSuites({ url, grpc, suites: ['ordering'], seed: 5, workers: 2 });
    for (const id of ORDERING_IDS) {
      const o = run.outcomes.find((x) => x.id === id);
      assert.equal(o?.status, 'passed', `${id} ${o?.status} in single-socket mode:\n${o?.message ?? ''}`);
    }
  });
});

test('a broken prerequisite blocks every ordering check citing its owner, with no property verdict (ws.never-ack)', { timeout: 300_000 }, async () => {
  await withServer(['ws.never-ack'], async ({ url, grpc }) => {
    const t0 = Date.now();
    // A per-run state directory, as the CLI gives: a prerequisite broken in one worker blocks the other at once too.
    const stateDir = mkdtempSync(join(tmpdir(), 'ord-state-'));
    const run = await runSuites({ url, grpc, suites: ['ordering'], seed: 5, workers: 2, env: { ANYCHAT_STATE_DIR: stateDir } });
    rmSync(stateDir, { recursive: true, force: true });
    for (const id of ORDERING_IDS) {
      const o = run.outcomes.find((x) => x.id === id);
      assert.equal(o?.status, 'skipped', `${id} ${o?.status} although no send is ever acked:\n${o?.message ?? ''}`);
      assert.match(o?.message ?? '', /^blocked: .*message\.sent.* — see WS\.5/, `${id}: ${o?.message}`);
    }
    process.stdout.write(`ordering suite under ws.never-ack: ${Date.now() - t0} ms\n`);
  });
});

test('the printed seed and path replay the same failure', { timeout: 300_000 }, async () => {
  const fault = 'ord.duplicate-delivery';
  await withServer([fault], async ({ url, grpc }) => {
    const id = 'ORD.P2';
    const first = await runSuites({ url, grpc, suites: ['ordering'], seed: 31, workers: 1, grep: grepFor(id) });
    const r1 = resultOf(first.outcomes.find((o) => o.id === id));
    assert.ok(r1, `${id} did not fail under ${fault}`);
    const replay = await runSuites({ url, grpc, suites: ['ordering'], seed: r1.seed, workers: 1, env: { ANYCHAT_ORD_PATH: r1.replayArg } });
    const o = replay.outcomes.find((x) => x.id === id);
    assert.equal(o?.status, 'failed', `replay of ${r1.replayArg} did not fail: ${o?.status}`);
    const r2 = resultOf(o)!;
    assert.equal(r2.commands, r1.commands, 'the replayed counterexample has the same commands');
    assert.deepEqual(r2.violations.map(normalise), r1.violations.map(normalise));
    for (const other of replay.outcomes.filter((x) => x.id !== id)) assert.equal(other.status, 'skipped', `${other.id} should be skipped while replaying ${id}`);
  });
});
