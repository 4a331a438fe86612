import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the group service implementation. */
export class GroupDomain {
  constructor(readonly ctx: ServerContext) {}
}
