import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';
import { requiredString } from '../grpc/args.js';
import { grpcUserBasic } from '../user/views.js';
import type { AuthResult } from './domain.js';

const tokens = (r: AuthResult) => ({ access_token: r.accessToken, refresh_token: r.refreshToken, expires_in: r.expiresIn });

/** anychat.auth.AuthService over the same domain as REST; identity comes in the request (`user_id`). */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const auth = ctx.domains.auth;
  const handlers: RpcHandlers = {
    Register: async (req) => {
      const r = await auth.register({
        phoneNumber: req.phone_number, email: req.email, password: req.password, nickname: req.nickname,
        deviceId: requiredString(req, 'device_id', 'auth'), deviceType: requiredString(req, 'device_type', 'auth'),
      });
      return { user_id: r.userId, ...tokens(r) };
    },
    Login: async (req) => {
      const r = await auth.login({
        account: requiredString(req, 'account', 'auth'), password: req.password,
        deviceId: requiredString(req, 'device_id', 'auth'), deviceType: requiredString(req, 'device_type', 'auth'),
      });
      return { user_id: r.userId, ...tokens(r), user: grpcUserBasic(r.user) };
    },
    Logout: (req) => {
      auth.logoutDevice(requiredString(req, 'user_id', 'auth'), requiredString(req, 'device_id', 'auth'));
      return {};
    },
    RefreshToken: (req) => tokens(auth.refresh(requiredString(req, 'refresh_token', 'auth'))),
    ChangePassword: async (req) => {
      await auth.changePassword(requiredString(req, 'user_id', 'auth'), req.old_password, req.new_password);
      return {};
    },
    ValidateToken: (req) => {
      const v = auth.validate(req.access_token);
      return { valid: v.valid, user_id: v.userId, device_id: v.deviceId, device_type: v.deviceType };
    },
  };
  return { name: 'anychat.auth.AuthService', handlers };
}
