import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashBundle } from '../contracts/digest.js';
import { codeExt, codeRoot } from '../contracts/locate.js';
import type { CatalogueEntry } from './checks.js';

/**
 * The check catalogue listed once at pack time (`prepack` → scripts/write-catalogue.js), so `checks list` in an installed
 * package answers without starting Playwright and loading every suite. It stands only for exactly the code and the
 * contract bundle it was listed from — its key is the digest of every compiled file and the bundle's digest — and
 * anything else (another bundle, a rebuilt dist/, the TypeScript sources) is listed live.
 */
export const PACKED_CATALOGUE = join(codeRoot, 'check-catalogue.json');

interface Packed {
  code: string;
  contracts: string;
  entries: CatalogueEntry[];
}

/** The digest of the compiled code (every .js / .cjs under dist/). */
const codeDigest = (): string => hashBundle(codeRoot, (p) => /\.c?js$/.test(p)).digest;

/** The packed catalogue, if it was listed from this very code and the bundle in `contractsDir`; else null. */
export function readPackedCatalogue(contractsDir: string): CatalogueEntry[] | null {
  if (codeExt !== '.js' || !existsSync(PACKED_CATALOGUE)) return null;
  let packed: Packed;
  try {
    packed = JSON.parse(readFileSync(PACKED_CATALOGUE, 'utf8'));
  } catch {
    return null;
  }
  if (packed.contracts !== hashBundle(contractsDir).digest || packed.code !== codeDigest()) return null;
  return packed.entries;
}

/** Write the catalogue of a live listing that loaded every suite, keyed to this code and the bundle in `contractsDir`. */
export function writePackedCatalogue(contractsDir: string, entries: CatalogueEntry[]): void {
  const packed: Packed = { code: codeDigest(), contracts: hashBundle(contractsDir).digest, entries };
  writeFileSync(`${PACKED_CATALOGUE}.tmp`, JSON.stringify(packed));
  renameSync(`${PACKED_CATALOGUE}.tmp`, PACKED_CATALOGUE);
}
