import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the sync service implementation. */
export class SyncDomain {
  constructor(readonly ctx: ServerContext) {}
}
