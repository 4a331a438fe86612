// Fills the gitignored default contract bundle (vendor-contracts/) from the shared checkout, if present.
// The contract files are never committed; they are copied at install time and hashed at every run.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'vendor-contracts');
const candidates = [process.env.ANYCHAT_CONTRACTS, join(root, '..', 'shared', 'contracts', 'anychat-api-contracts')].filter(Boolean);
const source = candidates.find((dir) => existsSync(join(dir, 'http', 'openapi.json')));
if (!source) {
  console.log('anychat-conform: no contract bundle found to fill vendor-contracts/ (pass --contracts DIR or set ANYCHAT_CONTRACTS at run time)');
} else {
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  console.log(`anychat-conform: contract bundle copied from ${source} to vendor-contracts/`);
}
