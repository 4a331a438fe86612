/** Exit codes, Schemathesis-style: 0 conformant, 1 nonconformance found, 2 usage or setup error. */
export const EXIT_OK = 0;
export const EXIT_NONCONFORMANT = 1;
export const EXIT_USAGE = 2;

export { SetupError } from '../contracts/errors.js';
