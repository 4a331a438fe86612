import type { ServerContext } from '../context.js';
import type { Caller } from '../http/routes.js';
import { badRequest, conflict, notFound, unauthorized } from '../errors.js';
import { newId, nowMs, nowSec, randomUUID } from '../ids.js';
import type { UserBrief } from '../user/domain.js';
import { checkPasswordRule, dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { signJwt, verifyJwt, type TokenClaims, type VerifyFailure } from './tokens.js';
import { statementCache } from '../user/sql.js';

/** Accepted device types: the contract's enum (ios|android|web) plus pc, case-insensitively (contract-notes I5). */
export const DEVICE_TYPES = ['ios', 'android', 'web', 'pc'] as const;

export interface RegisterInput {
  phoneNumber?: string | null;
  email?: string | null;
  password: string;
  nickname?: string | null;
  deviceId: string;
  deviceType: string;
}

export interface LoginInput {
  account: string;
  password: string;
  deviceId: string;
  deviceType: string;
}

/** Tokens of one device login plus who it is; adapters shape it (AuthResponse / proto *Response). */
export interface AuthResult {
  userId: string;
  accessToken: string;
  refreshToken: string;
  /** Access-token lifetime in seconds. */
  expiresIn: number;
  user: UserBrief;
}

interface SessionRow {
  sid: string;
  user_id: string;
  device_id: string;
  device_type: string;
  refresh_jti: string;
  revoked: number;
}

const REJECTED: Record<VerifyFailure, string> = {
  malformed: 'token is not a well-formed JWT',
  alg: 'token algorithm is not HS256',
  signature: 'token signature is invalid',
  expired: 'token has expired',
};

function deviceType(value: unknown): string {
  const v = String(value ?? '').toLowerCase();
  if (!(DEVICE_TYPES as readonly string[]).includes(v)) {
    throw badRequest('auth', `field 'deviceType' must be one of ${DEVICE_TYPES.join(', ')} (got ${JSON.stringify(value)})`, 'deviceType');
  }
  return v;
}

function deviceId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('auth', "field 'deviceId' is required", 'deviceId');
  if (value.length > 128) throw badRequest('auth', "field 'deviceId' must be at most 128 characters", 'deviceId');
  return value;
}

/** A trimmed optional identifier; '' counts as absent. */
function identifier(value: unknown, field: string, max = 128): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest('auth', `field '${field}' must be a string`, field);
  const v = value.trim();
  if (v.length > max) throw badRequest('auth', `field '${field}' must be at most ${max} characters`, field);
  return v || null;
}

function defaultNickname(phone: string | null, email: string | null): string {
  if (email) return email.split('@')[0]!.slice(0, 32) || 'AnyChat user';
  return `User${phone!.slice(-4)}`;
}

/**
 * Credentials, device login sessions and tokens. One auth session per device login (sid); access and refresh tokens carry
 * the sid, so revoking the session (logout, password change, ban) rejects both. Refresh tokens rotate: each refresh
 * stores the new refresh jti and the previous refresh token stops working.
 */
export class AuthDomain {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(readonly ctx: ServerContext) {
    this.sql = statementCache(ctx.db);
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS auth_credentials (
        user_id TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS auth_sessions (
        sid TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        device_type TEXT NOT NULL,
        refresh_jti TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions (user_id, device_id);
    `);
  }

  private get users() {
    return this.ctx.domains.user;
  }

  // ---- tokens ----

  private sign(sid: string, userId: string, device: string, type: string, typ: 'access' | 'refresh', jti: string): string {
    const { accessTtlSec, refreshTtlSec, jwtSecret } = this.ctx.config;
    const iat = nowSec();
    const claims: TokenClaims = { sub: userId, sid, deviceId: device, deviceType: type, typ, jti, iat, exp: iat + (typ === 'access' ? accessTtlSec : refreshTtlSec) };
    return signJwt(claims, jwtSecret);
  }

  /** Open a new auth session for a device login and issue its tokens. */
  private openSession(userId: string, device: string, type: string): AuthResult {
    const sid = newId('sid');
    const refreshJti = randomUUID();
    const now = nowMs();
    this.sql('INSERT INTO auth_sessions (sid, user_id, device_id, device_type, refresh_jti, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(sid, userId, device, type, refreshJti, now, now);
    this.users.touchActive(userId);
    return this.result(userId, sid, device, type, refreshJti);
  }

  private result(userId: string, sid: string, device: string, type: string, refreshJti: string): AuthResult {
    return {
      userId,
      accessToken: this.sign(sid, userId, device, type, 'access', randomUUID()),
      refreshToken: this.sign(sid, userId, device, type, 'refresh', refreshJti),
      expiresIn: this.ctx.config.accessTtlSec,
      user: this.users.brief(userId)!,
    };
  }

  private session(sid: string): SessionRow | undefined {
    return this.sql('SELECT * FROM auth_sessions WHERE sid = ?').get(sid) as SessionRow | undefined;
  }

  /** Verify `Authorization: Bearer <access token>`; throws 401 (auth range) when missing, invalid, revoked or banned. */
  authenticate(header: string | undefined): Caller {
    if (!header) throw unauthorized('auth', 'missing Authorization header (expected "Bearer <access token>")');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('auth', 'Authorization header must be "Bearer <access token>"');
    return this.authenticateToken(m[1]!);
  }

  /** Verify a bare access token (WS `?token=`, gRPC ValidateToken). */
  authenticateToken(token: string): Caller {
    if (!token) throw unauthorized('auth', 'missing access token');
    const claims = verifyJwt(token, this.ctx.config.jwtSecret, {
      allowAlgNone: this.ctx.faults.on('auth.alg-none'),
      allowExpired: this.ctx.faults.on('auth.expired-accepted'),
    });
    if (typeof claims === 'string') throw unauthorized('auth', REJECTED[claims]);
    const accepted = claims.typ === 'access' || (claims.typ === 'refresh' && this.ctx.faults.on('auth.refresh-as-access'));
    if (!accepted) throw unauthorized('auth', `a ${String(claims.typ)} token cannot be used as an access token`);
    const s = typeof claims.sid === 'string' ? this.session(claims.sid) : undefined;
    if (!s || s.user_id !== claims.sub) throw unauthorized('auth', 'token does not belong to a known login session');
    if (s.revoked) throw unauthorized('auth', 'token has been revoked (logged out or password changed)');
    if (this.users.isBanned(s.user_id)) throw unauthorized('auth', 'user is banned');
    return { userId: s.user_id, deviceId: s.device_id, deviceType: s.device_type, sid: s.sid, token };
  }

  // ---- account operations ----

  /** Register by phone and/or email; returns the first device login's tokens. */
  async register(input: RegisterInput): Promise<AuthResult> {
    const phone = identifier(input.phoneNumber, 'phoneNumber');
    const email = identifier(input.email, 'email');
    if (!phone && !email) throw badRequest('auth', "one of 'phoneNumber' or 'email' is required", 'phoneNumber');
    const password = checkPasswordRule(input.password, 'password');
    const device = deviceId(input.deviceId);
    const type = deviceType(input.deviceType);
    const nickname = identifier(input.nickname, 'nickname', 64) ?? defaultNickname(phone, email);
    const hash = await hashPassword(password);
    return this.ctx.db.transaction(() => {
      if (phone && this.users.identifierTaken(phone)) throw conflict('auth', 'phoneNumber is already registered', 'phoneNumber');
      if (email && this.users.identifierTaken(email)) throw conflict('auth', 'email is already registered', 'email');
      const user = this.users.create({ phone, email, nickname });
      this.sql('INSERT INTO auth_credentials (user_id, password_hash, updated_at) VALUES (?, ?, ?)').run(user.userId, hash, nowMs());
      return this.openSession(user.userId, device, type);
    })();
  }

  /** Log in by phone or email. Wrong account or password ⇒ 401 (same message); banned ⇒ 401 saying so. */
  async login(input: LoginInput): Promise<AuthResult> {
    const device = deviceId(input.deviceId);
    const type = deviceType(input.deviceType);
    const userId = this.users.findByAccount(String(input.account ?? ''));
    const stored = userId ? this.passwordHash(userId) : undefined;
    const ok = await verifyPassword(String(input.password ?? ''), stored ?? dummyHash());
    if (!userId || !stored || !ok) throw unauthorized('auth', 'invalid account or password');
    const banned = this.users.profile(userId);
    if (banned?.bannedAt) throw unauthorized('auth', `user is banned${banned.banReason ? `: ${banned.banReason}` : ''}`);
    return this.openSession(userId, device, type);
  }

  /** Rotate a refresh token: new access + refresh token for the same session; the presented token stops working. */
  refresh(refreshToken: string): AuthResult {
    const claims = verifyJwt(String(refreshToken ?? ''), this.ctx.config.jwtSecret);
    if (typeof claims === 'string') throw unauthorized('auth', `invalid refresh token: ${REJECTED[claims]}`);
    if (claims.typ !== 'refresh') throw unauthorized('auth', `invalid refresh token: a ${String(claims.typ)} token is not a refresh token`);
    return this.ctx.db.transaction(() => {
      const s = this.session(claims.sid);
      if (!s || s.user_id !== claims.sub) throw unauthorized('auth', 'invalid refresh token: unknown login session');
      if (s.revoked) throw unauthorized('auth', 'invalid refresh token: the session was logged out');
      if (s.refresh_jti !== claims.jti) throw unauthorized('auth', 'invalid refresh token: it was already used (tokens rotate on refresh)');
      if (this.users.isBanned(s.user_id)) throw unauthorized('auth', 'user is banned');
      const next = randomUUID();
      this.sql('UPDATE auth_sessions SET refresh_jti = ?, updated_at = ? WHERE sid = ?').run(next, nowMs(), s.sid);
      this.users.touchActive(s.user_id);
      return this.result(s.user_id, s.sid, s.device_id, s.device_type, next);
    })();
  }

  /**
   * Log out: revoke the auth sessions selected by `where` (REST: the calling token's session; gRPC: every session of the
   * user on that device). Fault `auth.logout-not-revoking` makes it revoke nothing.
   */
  private revokeForLogout(where: { sid: string } | { userId: string; deviceId: string }): void {
    if (this.ctx.faults.on('auth.logout-not-revoking')) return;
    if (this.ctx.faults.on('dialect.access-alive-after-logout')) {
      // the refresh token stops working (its jti no longer matches); the session, and so its access tokens, stay valid
      const set = this.sql(`UPDATE auth_sessions SET refresh_jti = 'logged-out', updated_at = ? WHERE revoked = 0 AND ${'sid' in where ? 'sid = ?' : 'user_id = ? AND device_id = ?'}`);
      set.run(nowMs(), ...('sid' in where ? [where.sid] : [where.userId, where.deviceId]));
      return;
    }
    if ('sid' in where) this.revokeSessions('sid = ?', where.sid);
    else this.revokeSessions('user_id = ? AND device_id = ?', where.userId, where.deviceId);
  }

  /**
   * REST logout: revokes the calling token's session (access and refresh token). The body's `deviceId` is required by the
   * contract but not compared: any value the contract allows is accepted, and only the caller's own session ends.
   */
  logout(caller: Caller, requestedDeviceId: string): void {
    deviceId(requestedDeviceId);
    this.revokeForLogout({ sid: caller.sid });
  }

  /** gRPC logout (identity given explicitly): every session of the user on that device. */
  logoutDevice(userId: string, device: string): void {
    this.revokeForLogout({ userId, deviceId: deviceId(device) });
  }

  /**
   * Change the password after checking the old one (wrong ⇒ 401). Every other session of the user is revoked
   * (`keepSid` is the caller's; gRPC has none, so all are revoked) and the user's devices get `auth.password_changed`.
   */
  async changePassword(userId: string, oldPassword: string, newPassword: string, keepSid?: string): Promise<void> {
    if (typeof oldPassword !== 'string' || oldPassword === '') throw badRequest('auth', "field 'oldPassword' is required", 'oldPassword');
    const next = checkPasswordRule(newPassword, 'newPassword');
    const stored = this.passwordHash(userId);
    if (!stored) throw notFound('auth', `user ${userId} not found`, 'userId');
    if (!(await verifyPassword(oldPassword, stored))) throw unauthorized('auth', 'old password is incorrect');
    const hash = await hashPassword(next);
    this.ctx.db.transaction(() => {
      this.sql('UPDATE auth_credentials SET password_hash = ?, updated_at = ? WHERE user_id = ?').run(hash, nowMs(), userId);
      this.revokeSessions('user_id = ? AND sid != ?', userId, keepSid ?? '');
    })();
    this.ctx.bus.notify([userId], 'auth.password_changed', { userId });
  }

  /** Revoke every session of a user (ban). */
  revokeAll(userId: string): number {
    return this.revokeSessions('user_id = ?', userId);
  }

  /** `{valid, userId, deviceId, deviceType}` for any string; never throws. */
  validate(token: string): { valid: boolean; userId: string; deviceId: string; deviceType: string } {
    try {
      const c = this.authenticateToken(String(token ?? ''));
      return { valid: true, userId: c.userId, deviceId: c.deviceId, deviceType: c.deviceType };
    } catch {
      return { valid: false, userId: '', deviceId: '', deviceType: '' };
    }
  }

  private passwordHash(userId: string): string | undefined {
    return this.sql('SELECT password_hash FROM auth_credentials WHERE user_id = ?').pluck().get(userId) as string | undefined;
  }

  private revokeSessions(where: string, ...args: unknown[]): number {
    return this.sql(`UPDATE auth_sessions SET revoked = 1, updated_at = ? WHERE revoked = 0 AND ${where}`).run(nowMs(), ...args).changes;
  }
}
