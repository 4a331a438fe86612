import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { forbidden } from '../errors.js';
import { contractRoutes } from '../http/routes.js';
import { restUserInfo } from '../user/views.js';
import type { AuthResult } from './domain.js';

/** gw.AuthResponse. */
function authResponse(r: AuthResult): Record<string, unknown> {
  return { accessToken: r.accessToken, refreshToken: r.refreshToken, expiresIn: r.expiresIn, userId: r.userId, user: restUserInfo(r.user) };
}

/** REST routes of the auth area (5 ops). */
export default async function authHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const auth = ctx.domains.auth;
  contractRoutes(app, ctx, {
    'POST /auth/register': async ({ body }) => {
      if (ctx.faults.on('auth.register-refused')) throw forbidden('auth', 'registration is closed');
      return authResponse(await auth.register(body));
    },
    'POST /auth/login': async ({ body }) => {
      const data = authResponse(await auth.login(body));
      if (ctx.faults.on('rest.required-dropped')) delete data.refreshToken;
      return data;
    },
    'POST /auth/refresh': ({ body }) => authResponse(auth.refresh(body.refreshToken)),
    'POST /auth/logout': ({ caller, body }) => auth.logout(caller, body.deviceId),
    'POST /auth/password/change': ({ caller, body }) => auth.changePassword(caller.userId, body.oldPassword, body.newPassword, caller.sid),
  });
}
