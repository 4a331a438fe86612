import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the push service implementation. */
export class PushDomain {
  constructor(readonly ctx: ServerContext) {}
}
