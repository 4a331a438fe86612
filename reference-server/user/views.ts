import { isoFromMs, timestampFromMs } from '../ids.js';
import type { Profile, UserBrief, UserSettings } from './domain.js';

/** Personal QR codes are app links (no HTTP route serves them); GetUserByQRCode accepts the link or the bare code. */
export function qrcodeUrl(code: string): string {
  return `anychat://qrcode/${code}`;
}

/** gw.UserProfile (camelCase). Optional values that were never set are omitted, never null. */
export interface RestProfile {
  userId: string;
  nickname: string;
  avatar: string;
  signature: string;
  gender: number;
  birthday?: string;
  region: string;
  phone?: string;
  email?: string;
  qrcodeUrl: string;
  createdAt: string;
}

/** 'YYYY/MM/DD hh:mm:ss' (UTC) — the non-RFC 3339 format of fault `rest.timestamp-format`. */
function legacyTime(ms: number): string {
  return isoFromMs(ms).replace(/-/g, '/').replace('T', ' ').replace('Z', '');
}

export function restProfile(p: Profile, opts: { legacyTime?: boolean } = {}): RestProfile {
  const out: RestProfile = {
    userId: p.userId, nickname: p.nickname, avatar: p.avatar, signature: p.signature, gender: p.gender,
    region: p.region, qrcodeUrl: qrcodeUrl(p.qrcode), createdAt: opts.legacyTime ? legacyTime(p.createdAt) : isoFromMs(p.createdAt),
  };
  if (p.birthday) out.birthday = p.birthday;
  if (p.phone) out.phone = p.phone;
  if (p.email) out.email = p.email;
  return out;
}

/** gw.UserSearchItem / proto UserBriefInfo in camelCase. */
export function searchItem(b: UserBrief): { userId: string; nickname: string; avatar: string; signature: string } {
  return { userId: b.userId, nickname: b.nickname, avatar: b.avatar, signature: b.signature };
}

/** gw.UserInfo = proto common.UserInfo in camelCase. */
export function restUserInfo(b: UserBrief): { userId: string; nickname: string; avatar: string; phone?: string; email?: string } {
  const out: { userId: string; nickname: string; avatar: string; phone?: string; email?: string } = { userId: b.userId, nickname: b.nickname, avatar: b.avatar };
  if (b.phone) out.phone = b.phone;
  if (b.email) out.email = b.email;
  return out;
}

/** proto common.UserInfo (snake_case field names). */
export function grpcUserBasic(b: UserBrief): Record<string, unknown> {
  return { user_id: b.userId, nickname: b.nickname, avatar: b.avatar, phone: b.phone, email: b.email };
}

/** ISO date/date-time string → google.protobuf.Timestamp (undefined when unset or unparseable). */
export function timestampFromIso(value: string | null): { seconds: number; nanos: number } | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : timestampFromMs(ms);
}

/** proto anychat.user.UserProfileResponse. */
export function grpcProfile(p: Profile): Record<string, unknown> {
  return {
    user_id: p.userId, nickname: p.nickname, avatar: p.avatar, signature: p.signature, gender: p.gender,
    birthday: timestampFromIso(p.birthday), region: p.region, phone: p.phone ?? undefined, email: p.email ?? undefined,
    qrcode_url: qrcodeUrl(p.qrcode), created_at: timestampFromMs(p.createdAt),
  };
}

/** proto anychat.user.UserInfoResponse. */
export function grpcUserInfo(p: Profile, rel: { isFriend: boolean; isBlocked: boolean }): Record<string, unknown> {
  return {
    user_id: p.userId, nickname: p.nickname, avatar: p.avatar, signature: p.signature, gender: p.gender, region: p.region,
    is_friend: rel.isFriend, is_blocked: rel.isBlocked,
  };
}

/** proto anychat.user.UserSettingsResponse. */
export function grpcSettings(s: UserSettings): Record<string, unknown> {
  return {
    user_id: s.userId, notification_enabled: s.notificationEnabled, sound_enabled: s.soundEnabled, vibration_enabled: s.vibrationEnabled,
    message_preview_enabled: s.messagePreviewEnabled, friend_verify_required: s.friendVerifyRequired,
    search_by_phone: s.searchByPhone, search_by_id: s.searchById, language: s.language,
  };
}
