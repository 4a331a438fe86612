import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../context.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId, nowMs } from '../ids.js';
import { qrcodeUrl, restProfile } from './views.js';
import { statementCache } from './sql.js';
import { pageOffset } from '../store/paging.js';

/** A user's profile as stored; times are epoch ms. Adapters format it (views.ts). */
export interface Profile {
  userId: string;
  nickname: string;
  avatar: string;
  signature: string;
  gender: number;
  /** As the client gave it (ISO date or date-time), or null when never set. */
  birthday: string | null;
  region: string;
  phone: string | null;
  email: string | null;
  qrcode: string;
  qrcodeExpiresAt: number;
  createdAt: number;
  updatedAt: number;
  lastActiveAt: number | null;
  bannedAt: number | null;
  banReason: string | null;
}

/** What other services read about a user (also the friend helper's `info`). */
export interface UserBrief {
  userId: string;
  nickname: string;
  avatar: string;
  signature: string;
  gender: number;
  phone?: string;
  email?: string;
}

export interface UserSettings {
  userId: string;
  notificationEnabled: boolean;
  soundEnabled: boolean;
  vibrationEnabled: boolean;
  messagePreviewEnabled: boolean;
  friendVerifyRequired: boolean;
  searchByPhone: boolean;
  searchById: boolean;
  language: string;
}

export type SettingsPatch = Partial<Omit<UserSettings, 'userId'>>;

export interface ProfilePatch {
  nickname?: string;
  avatar?: string;
  signature?: string;
  gender?: number;
  birthday?: string;
  region?: string;
}

export interface PushTokenRow {
  userId: string;
  deviceId: string;
  platform: string;
  pushToken: string;
  updatedAt: number;
}

export const DEFAULT_LANGUAGE = 'zh-CN';
/** A personal QR code is valid this long; an expired one is replaced on the next profile read or RefreshQRCode. */
export const QRCODE_TTL_MS = 7 * 24 * 3600 * 1000;
export const PUSH_PLATFORMS = ['ios', 'android'] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const BOOL_SETTINGS = {
  notificationEnabled: 'notification_enabled',
  soundEnabled: 'sound_enabled',
  vibrationEnabled: 'vibration_enabled',
  messagePreviewEnabled: 'message_preview_enabled',
  friendVerifyRequired: 'friend_verify_required',
  searchByPhone: 'search_by_phone',
  searchById: 'search_by_id',
} as const;

interface UserRow {
  user_id: string; phone: string | null; email: string | null; nickname: string; avatar: string; signature: string;
  gender: number; birthday: string | null; region: string; qrcode: string; qrcode_expires_at: number;
  created_at: number; updated_at: number; last_active_at: number | null; banned_at: number | null; ban_reason: string | null;
}

/** What the user service needs from the friend service; optional until that service provides it. */
interface FriendFacts {
  friendIds?(userId: string): string[];
  areFriends?(a: string, b: string): boolean;
  isBlocked?(a: string, b: string): boolean;
}

const fromRow = (r: UserRow): Profile => ({
  userId: r.user_id, nickname: r.nickname, avatar: r.avatar, signature: r.signature, gender: r.gender, birthday: r.birthday,
  region: r.region, phone: r.phone, email: r.email, qrcode: r.qrcode, qrcodeExpiresAt: r.qrcode_expires_at,
  createdAt: r.created_at, updatedAt: r.updated_at, lastActiveAt: r.last_active_at, bannedAt: r.banned_at, banReason: r.ban_reason,
});

/** Accept a full qrcode URL (anychat://qrcode/<code>, or any URL ending in the code) or the bare code. */
function qrcodeFrom(value: string): string {
  const v = value.trim().split(/[?#]/)[0]!;
  return v.slice(v.lastIndexOf('/') + 1);
}

const newQrcode = () => randomBytes(12).toString('base64url');

function likePattern(keyword: string): string {
  return `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function text(value: unknown, field: string, max: number, opts: { nonEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw badRequest('user', `field '${field}' must be a string`, field);
  const v = field === 'nickname' ? value.trim() : value;
  if (opts.nonEmpty && v.length === 0) throw badRequest('user', `field '${field}' must not be empty`, field);
  if (v.length > max) throw badRequest('user', `field '${field}' must be at most ${max} characters (got ${v.length})`, field);
  return v;
}

/** Page/pageSize validation shared by the search endpoints (400 naming the parameter). */
export function pageArgs(page: unknown, pageSize: unknown, area: 'user' | 'admin' = 'user', defaults = { page: 1, pageSize: 20 }) {
  const p = page === undefined || page === null || page === 0 ? defaults.page : Number(page);
  const s = pageSize === undefined || pageSize === null || pageSize === 0 ? defaults.pageSize : Number(pageSize);
  if (!Number.isInteger(p) || p < 1) throw badRequest(area, `parameter 'page' must be an integer >= 1 (got ${page})`, 'page');
  if (!Number.isInteger(s) || s < 1 || s > 100) {
    throw badRequest(area, `parameter 'pageSize' must be an integer between 1 and 100 (got ${pageSize})`, 'pageSize');
  }
  return { page: p, pageSize: s };
}

/**
 * Users: profile, settings, push tokens, search, personal QR codes, ban state and activity. Credentials and login sessions
 * belong to the auth service; this service owns everything else about a user.
 */
export class UserDomain {
  /** Profiles as they were at registration, kept only while fault `grpc.state-not-shared` is on. */
  private readonly snapshots = new Map<string, Profile>();

  private readonly sql: ReturnType<typeof statementCache>;

  constructor(readonly ctx: ServerContext) {
    this.sql = statementCache(ctx.db);
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        user_id TEXT PRIMARY KEY,
        phone TEXT UNIQUE,
        email TEXT UNIQUE COLLATE NOCASE,
        nickname TEXT NOT NULL,
        avatar TEXT NOT NULL DEFAULT '',
        signature TEXT NOT NULL DEFAULT '',
        gender INTEGER NOT NULL DEFAULT 0,
        birthday TEXT,
        region TEXT NOT NULL DEFAULT '',
        qrcode TEXT NOT NULL UNIQUE,
        qrcode_expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_active_at INTEGER,
        banned_at INTEGER,
        ban_reason TEXT);
      CREATE INDEX IF NOT EXISTS users_created ON users (created_at, user_id);
      CREATE INDEX IF NOT EXISTS users_active ON users (last_active_at);
      CREATE TABLE IF NOT EXISTS user_settings (
        user_id TEXT PRIMARY KEY,
        notification_enabled INTEGER NOT NULL DEFAULT 1,
        sound_enabled INTEGER NOT NULL DEFAULT 1,
        vibration_enabled INTEGER NOT NULL DEFAULT 1,
        message_preview_enabled INTEGER NOT NULL DEFAULT 1,
        friend_verify_required INTEGER NOT NULL DEFAULT 1,
        search_by_phone INTEGER NOT NULL DEFAULT 1,
        search_by_id INTEGER NOT NULL DEFAULT 1,
        language TEXT NOT NULL DEFAULT '${DEFAULT_LANGUAGE}',
        updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS user_push_tokens (
        user_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        push_token TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, device_id));
      CREATE INDEX IF NOT EXISTS user_push_tokens_token ON user_push_tokens (push_token);
    `);
  }

  private get friends(): FriendFacts {
    return (this.ctx.domains.friend ?? {}) as unknown as FriendFacts;
  }

  // ---- accounts (called by the auth service inside its registration transaction) ----

  /** true when `value` is already some user's phone or email (emails compare case-insensitively). */
  identifierTaken(value: string): boolean {
    return this.sql('SELECT 1 FROM users WHERE phone = ? OR email = ? COLLATE NOCASE').get(value, value) !== undefined;
  }

  /** The user whose phone or email is `account`. */
  findByAccount(account: string): string | null {
    const a = account.trim();
    if (!a) return null;
    const id = this.sql('SELECT user_id FROM users WHERE phone = ? OR email = ? COLLATE NOCASE ORDER BY phone = ? DESC LIMIT 1').pluck().get(a, a, a);
    return (id as string | undefined) ?? null;
  }

  /** Create a user (profile + default settings). Uniqueness is the caller's check; the UNIQUE constraints back it up. */
  create(input: { phone?: string | null; email?: string | null; nickname: string }): Profile {
    const now = nowMs();
    const userId = newId('u');
    try {
      this.sql(`INSERT INTO users (user_id, phone, email, nickname, qrcode, qrcode_expires_at, created_at, updated_at, last_active_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(userId, input.phone || null, input.email || null, input.nickname, newQrcode(), now + QRCODE_TTL_MS, now, now, now);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const field = String((e as Error).message).includes('users.email') ? 'email' : 'phoneNumber';
        throw conflict('auth', `${field} is already registered`, field);
      }
      throw e;
    }
    this.initUserData(userId);
    const profile = this.requireProfile(userId);
    if (this.ctx.faults.on('grpc.state-not-shared')) this.snapshots.set(userId, profile);
    return profile;
  }

  /** Idempotent: make sure the user has a settings row; `nickname` fills an empty nickname only. */
  initUserData(userId: string, nickname?: string): void {
    if (!this.exists(userId)) throw notFound('user', `user ${userId} not found`, 'user_id');
    const now = nowMs();
    this.sql('INSERT OR IGNORE INTO user_settings (user_id, updated_at) VALUES (?, ?)').run(userId, now);
    if (nickname && nickname.trim()) {
      this.sql("UPDATE users SET nickname = ?, updated_at = ? WHERE user_id = ? AND nickname = ''").run(nickname.trim(), now, userId);
    }
  }

  /** Record activity (login, token refresh) for the "active users" statistic. */
  touchActive(userId: string): void {
    this.sql('UPDATE users SET last_active_at = ? WHERE user_id = ?').run(nowMs(), userId);
  }

  // ---- reads other services use ----

  exists(userId: string): boolean {
    return !!userId && this.sql('SELECT 1 FROM users WHERE user_id = ?').get(userId) !== undefined;
  }

  /** Stored profile; an expired personal QR code is replaced first. */
  profile(userId: string): Profile | null {
    const row = this.sql('SELECT * FROM users WHERE user_id = ?').get(userId) as UserRow | undefined;
    if (!row) return null;
    if (row.qrcode_expires_at <= nowMs()) return { ...fromRow(row), ...this.rotateQrcode(userId) };
    return fromRow(row);
  }

  requireProfile(userId: string, field = 'userId'): Profile {
    const p = this.profile(userId);
    if (!p) throw notFound('user', `user ${userId} not found`, field);
    return p;
  }

  /** The profile as it was at registration (fault `grpc.state-not-shared` only). */
  registrationSnapshot(userId: string): Profile | undefined {
    return this.snapshots.get(userId);
  }

  brief(userId: string): UserBrief | null {
    const r = this.sql('SELECT user_id, nickname, avatar, signature, gender, phone, email FROM users WHERE user_id = ?').get(userId) as
      Pick<UserRow, 'user_id' | 'nickname' | 'avatar' | 'signature' | 'gender' | 'phone' | 'email'> | undefined;
    if (!r) return null;
    const b: UserBrief = { userId: r.user_id, nickname: r.nickname, avatar: r.avatar, signature: r.signature, gender: r.gender };
    if (r.phone) b.phone = r.phone;
    if (r.email) b.email = r.email;
    return b;
  }

  /** Alias of brief() (the name the friend and group services read). */
  info(userId: string): UserBrief | null {
    return this.brief(userId);
  }

  /** Friend/block relation between a viewer and a target, via the friend service. */
  relation(viewerId: string, targetId: string): { isFriend: boolean; isBlocked: boolean } {
    if (!viewerId || viewerId === targetId) return { isFriend: false, isBlocked: false };
    return {
      isFriend: this.friends.areFriends?.(viewerId, targetId) ?? false,
      isBlocked: this.friends.isBlocked?.(viewerId, targetId) ?? false,
    };
  }

  // ---- profile ----

  /** Apply a partial profile update; notifies the user's devices and friends. Unknown user ⇒ 404. */
  updateProfile(userId: string, patch: ProfilePatch): Profile {
    this.requireProfile(userId);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (col: string, v: unknown) => { sets.push(`${col} = ?`); values.push(v); };
    if (patch.nickname !== undefined) set('nickname', text(patch.nickname, 'nickname', 64, { nonEmpty: true }));
    if (patch.avatar !== undefined) set('avatar', text(patch.avatar, 'avatar', 1024));
    if (patch.signature !== undefined) set('signature', text(patch.signature, 'signature', 256));
    if (patch.region !== undefined) set('region', text(patch.region, 'region', 64));
    if (patch.gender !== undefined) {
      if (![0, 1, 2].includes(patch.gender)) throw badRequest('user', `field 'gender' must be 0, 1 or 2 (got ${patch.gender})`, 'gender');
      set('gender', patch.gender);
    }
    if (patch.birthday !== undefined) {
      const b = text(patch.birthday, 'birthday', 40);
      if (b !== '' && (!ISO_DATE.test(b) || Number.isNaN(Date.parse(b)))) {
        throw badRequest('user', `field 'birthday' must be an ISO 8601 date or date-time such as 1990-01-01T00:00:00Z (got ${JSON.stringify(b)})`, 'birthday');
      }
      set('birthday', b === '' ? null : b);
    }
    if (sets.length === 0) return this.requireProfile(userId);
    set('updated_at', nowMs());
    this.sql(`UPDATE users SET ${sets.join(', ')} WHERE user_id = ?`).run(...values, userId);
    const profile = this.requireProfile(userId);
    this.ctx.bus.notify([userId], 'user.profile_updated', restProfile(profile) as unknown as Record<string, unknown>);
    const friendIds = this.friends.friendIds?.(userId) ?? [];
    if (friendIds.length > 0) {
      this.ctx.bus.notify(friendIds, 'user.friend_profile_changed', { userId, nickname: profile.nickname, avatar: profile.avatar });
    }
    return profile;
  }

  // ---- settings ----

  /** The user's settings (defaults where never set), or null for an unknown user. */
  settings(userId: string): UserSettings | null {
    if (!this.exists(userId)) return null;
    const r = this.sql('SELECT * FROM user_settings WHERE user_id = ?').get(userId) as Record<string, number | string> | undefined;
    const s: UserSettings = {
      userId,
      notificationEnabled: true, soundEnabled: true, vibrationEnabled: true, messagePreviewEnabled: true,
      friendVerifyRequired: true, searchByPhone: true, searchById: true, language: DEFAULT_LANGUAGE,
    };
    if (r) {
      for (const [k, col] of Object.entries(BOOL_SETTINGS)) (s as any)[k] = r[col] === 1;
      s.language = String(r.language);
    }
    return s;
  }

  requireSettings(userId: string): UserSettings {
    const s = this.settings(userId);
    if (!s) throw notFound('user', `user ${userId} not found`, 'userId');
    return s;
  }

  /** Partial update: only the fields present change. */
  updateSettings(userId: string, patch: SettingsPatch): UserSettings {
    this.requireSettings(userId);
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, col] of Object.entries(BOOL_SETTINGS)) {
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') throw badRequest('user', `field '${k}' must be a boolean`, k);
      sets.push(`${col} = ?`);
      values.push(v ? 1 : 0);
    }
    if (patch.language !== undefined) {
      const lang = text(patch.language, 'language', 35, { nonEmpty: true });
      if (!/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(lang)) {
        throw badRequest('user', `field 'language' must be a language tag such as zh-CN or en-US (got ${JSON.stringify(lang)})`, 'language');
      }
      sets.push('language = ?');
      values.push(lang);
    }
    this.sql('INSERT OR IGNORE INTO user_settings (user_id, updated_at) VALUES (?, ?)').run(userId, nowMs());
    if (sets.length > 0) {
      this.sql(`UPDATE user_settings SET ${sets.join(', ')}, updated_at = ? WHERE user_id = ?`).run(...values, nowMs(), userId);
    }
    return this.requireSettings(userId);
  }

  // ---- push tokens ----

  /**
   * Upsert the push token of one of the user's devices. A token belongs to one app install: when another user held it
   * (the device switched accounts) that registration is dropped and its owner gets `push.token_invalid`.
   */
  updatePushToken(userId: string, input: { deviceId: string; pushToken: string; platform: string }): void {
    this.requireProfile(userId);
    const deviceId = text(input.deviceId, 'deviceId', 128, { nonEmpty: true });
    const pushToken = text(input.pushToken, 'pushToken', 4096, { nonEmpty: true });
    const platform = String(input.platform ?? '').toLowerCase();
    if (!(PUSH_PLATFORMS as readonly string[]).includes(platform)) {
      throw badRequest('user', `field 'platform' must be one of ${PUSH_PLATFORMS.join(', ')} (got ${JSON.stringify(input.platform)})`, 'platform');
    }
    const now = nowMs();
    const displaced = this.ctx.db.transaction(() => {
      const others = this.sql('SELECT user_id AS userId, device_id AS deviceId, platform FROM user_push_tokens WHERE push_token = ? AND NOT (user_id = ? AND device_id = ?)')
        .all(pushToken, userId, deviceId) as Array<{ userId: string; deviceId: string; platform: string }>;
      this.sql('DELETE FROM user_push_tokens WHERE push_token = ? AND NOT (user_id = ? AND device_id = ?)').run(pushToken, userId, deviceId);
      this.sql(`INSERT INTO user_push_tokens (user_id, device_id, platform, push_token, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id, device_id) DO UPDATE SET platform = excluded.platform, push_token = excluded.push_token, updated_at = excluded.updated_at`)
        .run(userId, deviceId, platform, pushToken, now);
      return others.filter((o) => o.userId !== userId);
    })();
    for (const d of displaced) this.ctx.domains.push.tokenReplaced(d.userId, d.deviceId, d.platform);
  }

  /** Every registered push token of these users. */
  pushTokens(userIds: string[]): PushTokenRow[] {
    if (userIds.length === 0) return [];
    const stmt = this.sql('SELECT user_id AS userId, device_id AS deviceId, platform, push_token AS pushToken, updated_at AS updatedAt FROM user_push_tokens WHERE user_id = ? ORDER BY device_id');
    return [...new Set(userIds)].flatMap((id) => stmt.all(id) as PushTokenRow[]);
  }

  // ---- search ----

  /**
   * Users whose nickname contains `keyword`, whose phone equals it (if they allow search by phone) or whose id equals it
   * (if they allow search by id); oldest first. `all` returns every match (fault `rest.pagination-ignored`).
   */
  search(keyword: string, page: number, pageSize: number, opts: { all?: boolean } = {}): { total: number; users: UserBrief[] } {
    const kw = keyword.trim();
    if (!kw) throw badRequest('user', "parameter 'keyword' must not be empty", 'keyword');
    const where = `FROM users u LEFT JOIN user_settings s ON s.user_id = u.user_id
      WHERE u.nickname LIKE ? ESCAPE '\\'
         OR (u.phone = ? AND COALESCE(s.search_by_phone, 1) = 1)
         OR (u.user_id = ? AND COALESCE(s.search_by_id, 1) = 1)`;
    const args = [likePattern(kw), kw, kw];
    const total = Number(this.sql(`SELECT COUNT(*) ${where}`).pluck().get(...args));
    const limit = opts.all ? -1 : pageSize;
    const offset = opts.all ? 0 : pageOffset(page, pageSize);
    const ids = this.sql(`SELECT u.user_id ${where} ORDER BY u.created_at, u.user_id LIMIT ? OFFSET ?`).pluck().all(...args, limit, offset) as string[];
    return { total, users: ids.map((id) => this.brief(id)!) };
  }

  /** Admin listing: optional keyword (nickname substring, exact phone/email/id), newest first. */
  list(keyword: string | undefined, page: number, pageSize: number): { total: number; users: Profile[] } {
    const kw = (keyword ?? '').trim();
    const where = kw ? "WHERE nickname LIKE ? ESCAPE '\\' OR phone = ? OR email = ? COLLATE NOCASE OR user_id = ?" : '';
    const args = kw ? [likePattern(kw), kw, kw, kw] : [];
    const total = Number(this.sql(`SELECT COUNT(*) FROM users ${where}`).pluck().get(...args));
    const ids = this.sql(`SELECT user_id FROM users ${where} ORDER BY created_at DESC, user_id LIMIT ? OFFSET ?`)
      .pluck().all(...args, pageSize, pageOffset(page, pageSize)) as string[];
    return { total, users: ids.map((id) => this.requireProfile(id)) };
  }

  // ---- personal QR code ----

  private rotateQrcode(userId: string): { qrcode: string; qrcodeExpiresAt: number } {
    const qrcode = newQrcode();
    const qrcodeExpiresAt = nowMs() + QRCODE_TTL_MS;
    this.sql('UPDATE users SET qrcode = ?, qrcode_expires_at = ? WHERE user_id = ?').run(qrcode, qrcodeExpiresAt, userId);
    return { qrcode, qrcodeExpiresAt };
  }

  /** Issue a new personal QR code; the previous one stops resolving. */
  refreshQrcode(userId: string): { qrcodeUrl: string; expiresAt: number } {
    this.requireProfile(userId, 'user_id');
    const { qrcode, qrcodeExpiresAt } = this.rotateQrcode(userId);
    return { qrcodeUrl: qrcodeUrl(qrcode), expiresAt: qrcodeExpiresAt };
  }

  /** The user a (current, unexpired) QR code or QR code URL belongs to. */
  userByQrcode(value: string): string {
    const code = qrcodeFrom(value ?? '');
    if (!code) throw badRequest('user', "field 'qrcode' is required", 'qrcode');
    const id = this.sql('SELECT user_id FROM users WHERE qrcode = ? AND qrcode_expires_at > ?').pluck().get(code, nowMs()) as string | undefined;
    if (!id) throw notFound('user', 'QR code is unknown or expired', 'qrcode');
    return id;
  }

  // ---- ban state and statistics (admin service) ----

  isBanned(userId: string): boolean {
    return this.sql('SELECT 1 FROM users WHERE user_id = ? AND banned_at IS NOT NULL').get(userId) !== undefined;
  }

  /** Ban (reason given) or unban (null). Returns false for an unknown user. */
  setBanned(userId: string, reason: string | null): boolean {
    const r = reason === null
      ? this.sql('UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE user_id = ?').run(userId)
      : this.sql('UPDATE users SET banned_at = ?, ban_reason = ? WHERE user_id = ?').run(nowMs(), reason, userId);
    return r.changes > 0;
  }

  count(): number {
    return Number(this.sql('SELECT COUNT(*) FROM users').pluck().get());
  }

  /** Users active (registered, logged in or refreshed a token) at or after `sinceMs`. */
  countActiveSince(sinceMs: number): number {
    return Number(this.sql('SELECT COUNT(*) FROM users WHERE last_active_at >= ?').pluck().get(sinceMs));
  }

  countBanned(): number {
    return Number(this.sql('SELECT COUNT(*) FROM users WHERE banned_at IS NOT NULL').pluck().get());
  }
}
