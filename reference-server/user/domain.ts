import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the user service implementation. */
export class UserDomain {
  constructor(readonly ctx: ServerContext) {}
}
