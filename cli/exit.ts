/**
 * Exit codes, Schemathesis-style: 0 conformant, 1 nonconformance found, 2 usage or setup error (and "no verdict": no MUST
 * check ran), 3 incomplete (no MUST check failed, but MUST checks were blocked by a broken prerequisite; reports/model.ts).
 */
export const EXIT_OK = 0;
export const EXIT_NONCONFORMANT = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCOMPLETE = 3;

export { SetupError } from '../contracts/errors.js';
