import type { ServerContext } from '../context.js';
import type { Caller } from '../http/routes.js';
import { unauthorized } from '../errors.js';

/** STUB — to be replaced by the admin service implementation. */
export class AdminDomain {
  constructor(readonly ctx: ServerContext) {}

  /** Verify an admin token on /admin routes; throws AppError 401 (admin range). */
  authenticate(_header: string | undefined): Caller {
    throw unauthorized('admin', 'not implemented yet');
  }
}
