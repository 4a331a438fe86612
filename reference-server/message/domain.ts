import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the message service implementation. */
export class MessageDomain {
  constructor(readonly ctx: ServerContext) {}
}
