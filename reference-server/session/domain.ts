import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the session service implementation. */
export class SessionDomain {
  constructor(readonly ctx: ServerContext) {}
}
