import type { Contracts } from './index.js';

/** One defect or cross-contract inconsistency of the contract itself, with every location that shows it. */
export interface LintFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  locations: string[];
  detail?: string;
}

/** STUB — machine-detected contract findings (issue 2). Currently only the loader's patched defects. */
export function lintContracts(c: Contracts): LintFinding[] {
  return c.bundle.defects.map((d) => ({ id: d.id, severity: 'error', title: d.message, locations: [`${d.file}#${d.pointer}`] }));
}
