import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';
import { isoFromMs, timestampFromMs } from '../ids.js';
import { present, requiredString } from '../grpc/args.js';
import { pageArgs, type ProfilePatch, type SettingsPatch } from './domain.js';
import { grpcProfile, grpcSettings, grpcUserInfo, searchItem } from './views.js';

const SETTINGS: Array<[string, keyof SettingsPatch]> = [
  ['notification_enabled', 'notificationEnabled'], ['sound_enabled', 'soundEnabled'], ['vibration_enabled', 'vibrationEnabled'],
  ['message_preview_enabled', 'messagePreviewEnabled'], ['friend_verify_required', 'friendVerifyRequired'],
  ['search_by_phone', 'searchByPhone'], ['search_by_id', 'searchById'], ['language', 'language'],
];

/** anychat.user.UserService over the same domain as REST; identity comes in the request (`user_id`). */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const users = ctx.domains.user;
  const userId = (req: any) => requiredString(req, 'user_id', 'user');

  const handlers: RpcHandlers = {
    GetProfile: (req) => {
      const id = userId(req);
      const current = users.requireProfile(id, 'user_id');
      // Fault grpc.state-not-shared: answer from a copy taken at registration instead of the shared store.
      const snapshot = ctx.faults.on('grpc.state-not-shared') ? users.registrationSnapshot(id) : undefined;
      return grpcProfile(snapshot ?? current);
    },
    UpdateProfile: (req) => {
      const id = userId(req);
      const patch: ProfilePatch = {};
      for (const f of ['nickname', 'avatar', 'signature', 'gender', 'region'] as const) if (present(req[f])) (patch as any)[f] = req[f];
      if (present(req.birthday)) {
        patch.birthday = isoFromMs(Number(req.birthday.seconds ?? 0) * 1000 + Math.floor(Number(req.birthday.nanos ?? 0) / 1e6));
      }
      return grpcProfile(users.updateProfile(id, patch));
    },
    GetUserInfo: (req) => {
      const target = requiredString(req, 'target_user_id', 'user');
      const p = users.requireProfile(target, 'target_user_id');
      return grpcUserInfo(p, users.relation(req.user_id ?? '', target));
    },
    SearchUsers: (req) => {
      const { page, pageSize } = pageArgs(req.page, req.page_size);
      const r = users.search(requiredString(req, 'keyword', 'user'), page, pageSize);
      return { total: r.total, users: r.users.map(searchItem).map((u) => ({ user_id: u.userId, nickname: u.nickname, avatar: u.avatar, signature: u.signature })) };
    },
    GetSettings: (req) => grpcSettings(users.requireSettings(userId(req))),
    UpdateSettings: (req) => {
      const id = userId(req);
      const patch: SettingsPatch = {};
      for (const [proto, key] of SETTINGS) if (present(req[proto])) (patch as any)[key] = req[proto];
      return grpcSettings(users.updateSettings(id, patch));
    },
    RefreshQRCode: (req) => {
      const r = users.refreshQrcode(userId(req));
      return { qrcode_url: r.qrcodeUrl, expires_at: timestampFromMs(r.expiresAt) };
    },
    GetUserByQRCode: (req) => {
      const id = users.userByQrcode(requiredString(req, 'qrcode', 'user'));
      return grpcUserInfo(users.requireProfile(id), { isFriend: false, isBlocked: false });
    },
    UpdatePushToken: (req) => {
      users.updatePushToken(userId(req), { deviceId: req.device_id, pushToken: req.push_token, platform: req.platform });
      return {};
    },
    InitUserData: (req) => {
      users.initUserData(userId(req), req.nickname);
      return {};
    },
  };
  return { name: 'anychat.user.UserService', handlers };
}
