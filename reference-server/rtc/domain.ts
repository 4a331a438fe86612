import type { ServerContext } from '../context.js';

/** STUB — to be replaced by the rtc service implementation. */
export class RtcDomain {
  constructor(readonly ctx: ServerContext) {}
}
