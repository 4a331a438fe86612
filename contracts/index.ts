import { loadBundle, type Bundle } from './bundle.js';
import { buildCatalogue, type Catalogue } from './catalogue.js';
import { ContractValidators } from './validators.js';

export * from './bundle.js';
export * from './catalogue.js';
export * from './validators.js';
export { SetupError } from './errors.js';
export { locateBundle, defaultBundleDir, packageRoot } from './locate.js';
export { pointer, resolvePointer, escapeSegment } from './pointer.js';

/** The contract, ready to use: files + provenance, catalogue, compiled validators. */
export interface Contracts {
  bundle: Bundle;
  catalogue: Catalogue;
  validators: ContractValidators;
}

const cache = new Map<string, Contracts>();

/**
 * Load the contract bundle (--contracts DIR > ANYCHAT_CONTRACTS > vendor-contracts/) once per directory per process.
 * Throws SetupError (exit 2) naming the path and what is missing or broken.
 */
export function loadContracts(dir?: string, env: NodeJS.ProcessEnv = process.env): Contracts {
  const key = dir ?? env.ANYCHAT_CONTRACTS ?? '';
  let c = cache.get(key);
  if (!c) {
    const bundle = loadBundle(dir, env);
    const catalogue = buildCatalogue(bundle);
    c = { bundle, catalogue, validators: new ContractValidators(bundle, catalogue) };
    cache.set(key, c);
  }
  return c;
}
