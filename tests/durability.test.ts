/**
 * DURABILITY.1 on the reference server: every message acked over WS survives SIGKILL right after the last ack
 * (file DB, WAL, synchronous=FULL, ack only after the commit). The scenario runs the real CLI as a child process
 * (tests/support/durability.ts); with the durability.memory-only fault the same scenario must lose messages,
 * which proves the check can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durabilityScenario } from './support/durability.js';

test('every acked message survives SIGKILL and restart with the same id and sequence', { timeout: 90_000 }, async () => {
  const lost = await durabilityScenario({ count: 150 });
  assert.equal(lost, 0, `${lost} of 150 acked messages were lost`);
});

test('durability.memory-only: the same scenario loses acked messages', { timeout: 90_000 }, async () => {
  const lost = await durabilityScenario({ count: 20, faults: ['durability.memory-only'] });
  assert.ok(lost > 0, 'with the fault on, acked messages must be missing after the restart');
});
