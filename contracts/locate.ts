import { existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from './errors.js';

/** Where the running code lives: the package root when run from the TypeScript sources, dist/ when compiled. */
export const codeRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The package root (package.json, vendor-contracts/): codeRoot, or its parent when the code runs compiled from dist/. */
export const packageRoot = existsSync(join(codeRoot, 'package.json')) ? codeRoot : dirname(codeRoot);

/** '.js' when compiled, '.ts' from the sources: the extension of the files we hand to other processes (Playwright). */
export const codeExt = extname(fileURLToPath(import.meta.url));

/** The gitignored default bundle, filled at pack time (and by `npm ci` in the repository) by scripts/fill-contracts.js. */
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
