import type { ServerContext } from '../context.js';
import type { Caller } from '../http/routes.js';
import { unauthorized } from '../errors.js';

/** STUB — to be replaced by the auth service implementation. */
export class AuthDomain {
  constructor(readonly ctx: ServerContext) {}

  /** Verify `Authorization: Bearer <access token>`; throws AppError 401 (auth range) when missing/invalid/revoked. */
  authenticate(_header: string | undefined): Caller {
    throw unauthorized('auth', 'not implemented yet');
  }
}
