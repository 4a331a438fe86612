/**
 * Prove the harness (issue 8): every fault in the catalogue, switched on in the reference server, must make the suites
 * that can see it fail — with the expected check id among the failures. Prints the mutation score and the survivors.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FAULTS, type FaultDef } from '../reference-server/faults.js';
import { startServer } from '../reference-server/server.js';
import { runSuites } from './support/run-suites.js';
import { durabilityScenario } from './support/durability.js';
import { lostUnderLoad } from '../load/fault-probe.js';

interface Verdict {
  fault: FaultDef;
  caught: boolean;
  failed: string[];
  ms: number;
}

const started = Date.now();
// FAULTS_ONLY=id,id probes only those faults (re-checking a few without the whole catalogue); the default is every fault.
const only = process.env.FAULTS_ONLY?.split(',').filter(Boolean);
const SELECTED = only ? FAULTS.filter((f) => only.includes(f.id)) : FAULTS;

async function probe(fault: FaultDef): Promise<Verdict> {
  const t0 = Date.now();
  if (fault.protocol === 'durability') {
    const lost = await durabilityScenario({ faults: [fault.id] });
    return { fault, caught: lost > 0, failed: lost > 0 ? ['DURABILITY.1'] : [], ms: Date.now() - t0 };
  }
  if (fault.suites.includes('load')) {
    const lost = await lostUnderLoad([fault.id]);
    return { fault, caught: lost > 0, failed: lost > 0 ? ['LOAD.LOST'] : [], ms: Date.now() - t0 };
  }
  const server = await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults: [fault.id] });
  try {
    // Only the checks expected to catch the fault run (the clean-server self-test runs everything): that keeps the
    // 40+ fault runs to a few seconds each.
    const grep = `\\b(${fault.catches.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}) `;
    const run = await runSuites({ url: server.httpUrl, grpc: server.grpcAddress, suites: fault.suites, seed: 7, workers: 1, grep, env: { ANYCHAT_JWT_SECRET: server.ctx.config.jwtSecret, ...(fault.strict ? { ANYCHAT_STRICT: '1' } : {}) } });
    // A tolerated (dialect) fault is "caught" when the harness copes: its checks ran and none of them failed.
    const caught = fault.tolerated
      ? run.outcomes.some((o) => fault.catches.includes(o.id)) && !fault.catches.some((id) => run.failedIds.includes(id))
      : fault.catches.some((id) => run.failedIds.includes(id));
    return { fault, caught, failed: run.failedIds, ms: Date.now() - t0 };
  } finally {
    await server.close();
  }
}

// Faults are independent: run them two at a time (the machine has two cores; each run uses one Playwright worker).
const verdicts = new Map<string, Promise<Verdict>>();
const queue = [...SELECTED];
const settle = new Map<string, (v: Verdict) => void>();
for (const f of SELECTED) verdicts.set(f.id, new Promise((resolve) => settle.set(f.id, resolve)));
const done = Promise.all(Array.from({ length: 2 }, async () => {
  for (let f = queue.shift(); f; f = queue.shift()) {
    const fault = f;
    settle.get(fault.id)!(await probe(fault).catch((e): Verdict => ({ fault, caught: false, failed: [`probe crashed: ${(e as Error).message}`], ms: 0 })));
  }
}));

test(`the fault catalogue has at least 40 faults, each with checks expected to catch it`, () => {
  assert.ok(FAULTS.length >= 40, `${FAULTS.length} faults`);
  assert.equal(new Set(FAULTS.map((f) => f.id)).size, FAULTS.length, 'fault ids are unique');
  for (const f of FAULTS) assert.ok(f.catches.length > 0 && f.suites.length > 0, f.id);
});

for (const fault of SELECTED) {
  test(fault.tolerated ? `dialect ${fault.id} is tolerated: no failure of ${fault.catches.join(', ')}` : `fault ${fault.id} is caught by ${fault.catches.join(' or ')}`, { timeout: 900_000 }, async () => {
    const v = await verdicts.get(fault.id)!;
    assert.ok(v.caught, `fault ${fault.id} (${fault.description}) survived: expected ${fault.catches.join(' or ')} among failures, got [${v.failed.join(', ')}]`);
  });
}

after(async () => {
  await done;
  const all = await Promise.all(verdicts.values());
  const caught = all.filter((v) => v.caught);
  const survivors = all.filter((v) => !v.caught);
  process.stdout.write(`\nmutation score: ${caught.length}/${all.length} faults caught (${((100 * caught.length) / Math.max(1, all.length)).toFixed(1)}%) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const s of survivors) process.stdout.write(`  survivor: ${s.fault.id} — expected ${s.fault.catches.join(' or ')}, failed [${s.failed.join(', ')}]\n`);
});
