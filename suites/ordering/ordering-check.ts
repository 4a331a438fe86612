import { check } from '../check.js';
import type { PropertyId } from '../../fixtures/ordering/oracles.js';
import { PROFILES } from '../../fixtures/ordering/profiles.js';
import { runOrderingCheck } from '../../fixtures/ordering/runner.js';

/** Declare the ordering check `id`: its metadata from fixtures/ordering/profiles.ts, its body the property run. */
export function orderingCheck(id: PropertyId): void {
  const p = PROFILES[id];
  check({ id: p.id, level: p.level, cites: p.cites, title: p.title, assumed: p.assumed }, async ({ target, contracts, recorder }, testInfo) => {
    await runOrderingCheck({ target, contracts, recorder }, testInfo, p);
  });
}
