// Fills the gitignored default contract bundle (vendor-contracts/) from ANYCHAT_CONTRACTS or the shared checkout
// (../shared/contracts/anychat-api-contracts). Run by `prepare` (npm ci in the repository) and by `prepack`, so the
// bundle travels inside the tarball and nothing at install time needs files outside the package.
// With nothing to copy it keeps what vendor-contracts/ holds; `--require` (prepack) fails when that is no bundle either,
// because a package without its contract bundle cannot check anything without --contracts.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'vendor-contracts');
const isBundle = (dir) => existsSync(join(dir, 'http', 'openapi.json'));
const candidates = [process.env.ANYCHAT_CONTRACTS, join(root, '..', 'shared', 'contracts', 'anychat-api-contracts')].filter(Boolean);
const source = candidates.map((dir) => resolve(dir)).find((dir) => dir !== target && isBundle(dir));
/** Relative path → content of every file under `dir`, to tell whether the copy is already current. */
const snapshot = (dir) =>
  existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort().map((f) => [f, statSync(join(dir, f)).isFile() ? readFileSync(join(dir, f)).toString('base64') : '']) : [];
const same = (a, b) => JSON.stringify(snapshot(a)) === JSON.stringify(snapshot(b));

if (source && same(source, target)) {
  console.log(`anychat-conform: vendor-contracts/ is current with ${source}`);
} else if (source) {
  // (not while anything reads it: a repeated `npm pack` during the tests finds it current and leaves it alone)
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  console.log(`anychat-conform: contract bundle copied from ${source} to vendor-contracts/`);
} else if (isBundle(target)) {
  console.log('anychat-conform: no contract bundle to copy (ANYCHAT_CONTRACTS, ../shared/contracts); vendor-contracts/ keeps the one it holds');
} else if (process.argv.includes('--require')) {
  console.error('anychat-conform: cannot pack without a contract bundle: set ANYCHAT_CONTRACTS=DIR or check out ../shared/contracts');
  process.exit(1);
} else {
  console.log('anychat-conform: no contract bundle found to fill vendor-contracts/ (pass --contracts DIR or set ANYCHAT_CONTRACTS at run time)');
}
