import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../contracts/index.js';

/**
 * The real contract history (../shared/contracts-history: one folder per upstream version, in order), found from
 * env CONTRACTS_HISTORY or by looking upward from the package (a worktree sits one level deeper than main).
 * Test data: read in place, never copied into the project.
 */
export function contractsHistory(): { dir: string; versions: string[] } | null {
  const candidates = process.env.CONTRACTS_HISTORY ? [resolve(process.env.CONTRACTS_HISTORY)] : [];
  for (let d = packageRoot, i = 0; i < 4; i++, d = dirname(d)) candidates.push(join(d, '..', 'shared', 'contracts-history'));
  const dir = candidates.find((c) => existsSync(c));
  if (!dir) return null;
  const versions = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return { dir, versions };
}
