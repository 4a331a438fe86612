import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the file service implementation. */
export class FileDomain {
  constructor(readonly ctx: ServerContext) {}
}
