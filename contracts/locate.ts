import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from './errors.js';

/** The package root (one level above contracts/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The gitignored default bundle, filled at install time by scripts/fill-contracts.js. */
export const defaultBundleDir = join(packageRoot, 'vendor-contracts');

/** Files a bundle must have; protos are checked by the loader. */
export const requiredFiles = ['http/openapi.json', 'websocket/asyncapi.yaml', 'proto'] as const;

export interface BundleLocation {
  dir: string;
  source: '--contracts' | 'ANYCHAT_CONTRACTS' | 'default';
}

/** Resolve the bundle directory: --contracts DIR > env ANYCHAT_CONTRACTS > vendor-contracts/. */
export function locateBundle(flag?: string, env: NodeJS.ProcessEnv = process.env): BundleLocation {
  const chosen: BundleLocation = flag
    ? { dir: resolve(flag), source: '--contracts' }
    : env.ANYCHAT_CONTRACTS
      ? { dir: resolve(env.ANYCHAT_CONTRACTS), source: 'ANYCHAT_CONTRACTS' }
      : { dir: defaultBundleDir, source: 'default' };
  if (!existsSync(chosen.dir) || !statSync(chosen.dir).isDirectory()) {
    const hint = chosen.source === 'default' ? ' (run npm install next to ../shared/contracts, or pass --contracts DIR)' : '';
    throw new SetupError(`contract bundle not found: ${chosen.dir} (from ${chosen.source}) is not a directory${hint}`);
  }
  const missing = requiredFiles.filter((f) => !existsSync(join(chosen.dir, f)));
  if (missing.length > 0) {
    throw new SetupError(`contract bundle ${chosen.dir} (from ${chosen.source}) is missing ${missing.join(', ')}`);
  }
  return chosen;
}
