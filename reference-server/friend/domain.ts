import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the friend service implementation. */
export class FriendDomain {
  constructor(readonly ctx: ServerContext) {}
}
