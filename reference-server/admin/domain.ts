import type { ServerContext } from '../context.js';
import type { Caller } from '../http/routes.js';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../errors.js';
import { isoFromMs, newId, nowMs, nowSec, randomUUID } from '../ids.js';
import { checkPasswordRule, dummyHash, hashPassword, hashPasswordSync, verifyPassword } from '../auth/passwords.js';
import { signJwt, verifyJwt } from '../auth/tokens.js';
import type { Profile } from '../user/domain.js';
import { pageOffset } from '../store/paging.js';

export const ADMIN_ROLES = ['super_admin', 'admin', 'operator'] as const;
/** Admin status (adm.updateAdminStatusRequest.status): 1 enabled, 0 disabled. */
export const ADMIN_STATUS = { disabled: 0, enabled: 1 } as const;
/** Who acts when an admin operation arrives over gRPC (AdminService has no admin identity). */
export const GRPC_ACTOR = 'system:grpc';
const ACTIVE_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** Config keys present from the start; `announcement` and `maintenance_mode` also notify every connected user. */
export const DEFAULT_CONFIG: Record<string, string> = {
  site_name: 'AnyChat',
  announcement: '',
  maintenance_mode: 'false',
  max_group_members: '500',
  message_recall_seconds: '120',
};

interface AdminRow {
  admin_id: string; username: string; password_hash: string; role: string; status: number;
  created_at: number; updated_at: number; last_login_at: number | null;
}

export interface AdminView {
  adminId: string;
  username: string;
  role: string;
  status: number;
  createdAt: string;
  lastLoginAt?: string;
}

export interface AuditEntry {
  id: number;
  adminId: string;
  action: string;
  targetType: string;
  targetId: string;
  detail: string;
  createdAt: string;
}

/** What the admin area reads from the group and message services (optional until they provide it). */
interface GroupFacts {
  getGroupInfo?(groupId: string): unknown;
  dissolve?(groupId: string, actor: string): unknown;
  count?(): number;
}
interface MessageFacts {
  count?(): number;
}

const adminView = (r: AdminRow): AdminView => {
  const v: AdminView = { adminId: r.admin_id, username: r.username, role: r.role, status: r.status, createdAt: isoFromMs(r.created_at) };
  if (r.last_login_at) v.lastLoginAt = isoFromMs(r.last_login_at);
  return v;
};

/** Admin view of a user (untyped `data`; camelCase, RFC 3339 times). */
export function adminUserView(p: Profile): Record<string, unknown> {
  const v: Record<string, unknown> = {
    userId: p.userId, nickname: p.nickname, avatar: p.avatar, signature: p.signature, gender: p.gender, region: p.region,
    status: p.bannedAt ? 'banned' : 'active', createdAt: isoFromMs(p.createdAt),
  };
  if (p.phone) v.phone = p.phone;
  if (p.email) v.email = p.email;
  if (p.bannedAt) { v.bannedAt = isoFromMs(p.bannedAt); v.banReason = p.banReason ?? ''; }
  if (p.lastActiveAt) v.lastActiveAt = isoFromMs(p.lastActiveAt);
  return v;
}

/**
 * The admin back office: admin accounts (seeded from config), admin login sessions, user bans, system config and the
 * audit log of every admin write (login, logout, ban, unban, admin create/status, config, group dissolve).
 */
export class AdminDomain {
  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS admins (
        admin_id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        status INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_login_at INTEGER);
      CREATE TABLE IF NOT EXISTS admin_sessions (
        sid TEXT PRIMARY KEY,
        admin_id TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS audit_logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        admin_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL DEFAULT '',
        target_id TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS audit_logs_admin ON audit_logs (admin_id, id);
      CREATE INDEX IF NOT EXISTS audit_logs_action ON audit_logs (action, id);
      CREATE TABLE IF NOT EXISTS system_config (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL DEFAULT '');
    `);
    this.seed();
  }

  /**
   * The configured admin (contract-notes I19) exists with the configured password and role super_admin; the password is
   * reset to the configured one on every start, so `serve --admin-password` always works on an existing database.
   */
  private seed(): void {
    const { adminUser, adminPassword } = this.ctx.config;
    const now = nowMs();
    const hash = hashPasswordSync(adminPassword);
    const existing = this.ctx.db.prepare('SELECT admin_id FROM admins WHERE username = ?').pluck().get(adminUser) as string | undefined;
    if (existing) this.ctx.db.prepare('UPDATE admins SET password_hash = ?, updated_at = ? WHERE admin_id = ?').run(hash, now, existing);
    else {
      this.ctx.db.prepare('INSERT INTO admins (admin_id, username, password_hash, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)')
        .run(newId('adm'), adminUser, hash, 'super_admin', now, now);
    }
    const put = this.ctx.db.prepare('INSERT OR IGNORE INTO system_config (key, value, updated_at) VALUES (?, ?, ?)');
    for (const [k, v] of Object.entries(DEFAULT_CONFIG)) put.run(k, v, now);
  }

  private admin(adminId: string): AdminRow | undefined {
    return this.ctx.db.prepare('SELECT * FROM admins WHERE admin_id = ?').get(adminId) as AdminRow | undefined;
  }

  private audit(adminId: string, action: string, targetType: string, targetId: string, detail: Record<string, unknown> = {}): void {
    this.ctx.db.prepare('INSERT INTO audit_logs (admin_id, action, target_type, target_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(adminId, action, targetType, targetId, Object.keys(detail).length ? JSON.stringify(detail) : '', nowMs());
  }

  // ---- admin authentication ----

  async login(username: string, password: string): Promise<{ token: string; adminId: string; username: string; role: string; expiresIn: number }> {
    const row = this.ctx.db.prepare('SELECT * FROM admins WHERE username = ?').get(String(username ?? '')) as AdminRow | undefined;
    const ok = await verifyPassword(String(password ?? ''), row?.password_hash ?? dummyHash());
    if (!row || !ok) throw unauthorized('admin', 'invalid username or password');
    if (row.status !== ADMIN_STATUS.enabled) throw unauthorized('admin', 'admin account is disabled');
    const sid = newId('asid');
    const now = nowMs();
    this.ctx.db.prepare('INSERT INTO admin_sessions (sid, admin_id, created_at) VALUES (?, ?, ?)').run(sid, row.admin_id, now);
    this.ctx.db.prepare('UPDATE admins SET last_login_at = ? WHERE admin_id = ?').run(now, row.admin_id);
    this.audit(row.admin_id, 'admin.login', 'admin', row.admin_id);
    const iat = nowSec();
    const expiresIn = this.ctx.config.accessTtlSec;
    const token = signJwt({ sub: row.admin_id, sid, deviceId: '', deviceType: 'admin', typ: 'admin', jti: randomUUID(), iat, exp: iat + expiresIn }, this.ctx.config.jwtSecret);
    return { token, adminId: row.admin_id, username: row.username, role: row.role, expiresIn };
  }

  /**
   * Verify an admin token on /admin routes: HS256, typ 'admin', not expired, its admin session not logged out, the admin
   * enabled. Fault `authz.admin-open` also lets user access tokens through.
   */
  authenticate(header: string | undefined): Caller {
    if (!header) throw unauthorized('admin', 'missing Authorization header (expected "Bearer <admin token>")');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('admin', 'Authorization header must be "Bearer <admin token>"');
    const token = m[1]!;
    const claims = verifyJwt(token, this.ctx.config.jwtSecret);
    if (typeof claims === 'string') throw unauthorized('admin', `invalid admin token (${claims})`);
    if (claims.typ !== 'admin') {
      if (claims.typ === 'access' && this.ctx.faults.on('authz.admin-open')) return this.ctx.domains.auth.authenticateToken(token);
      throw unauthorized('admin', 'an admin token is required (user tokens are not accepted here)');
    }
    const s = this.ctx.db.prepare('SELECT admin_id, revoked FROM admin_sessions WHERE sid = ?').get(claims.sid) as { admin_id: string; revoked: number } | undefined;
    if (!s || s.admin_id !== claims.sub) throw unauthorized('admin', 'admin token does not belong to a known admin session');
    if (s.revoked) throw unauthorized('admin', 'admin token has been logged out');
    const a = this.admin(s.admin_id);
    if (!a || a.status !== ADMIN_STATUS.enabled) throw unauthorized('admin', 'admin account is disabled');
    return { userId: a.admin_id, deviceId: '', deviceType: 'admin', sid: claims.sid, token };
  }

  logout(caller: Caller): void {
    this.ctx.db.prepare('UPDATE admin_sessions SET revoked = 1 WHERE sid = ?').run(caller.sid);
    this.audit(caller.userId, 'admin.logout', 'admin', caller.userId);
  }

  // ---- admins ----

  listAdmins(): { admins: AdminView[]; total: number } {
    const rows = this.ctx.db.prepare('SELECT * FROM admins ORDER BY created_at, admin_id').all() as AdminRow[];
    return { admins: rows.map(adminView), total: rows.length };
  }

  /** Only a super_admin manages admin accounts. */
  private requireSuperAdmin(actorId: string, what: string): void {
    if (actorId === GRPC_ACTOR) return;
    if (this.admin(actorId)?.role !== 'super_admin') throw forbidden('admin', `only a super_admin may ${what}`);
  }

  async createAdmin(actorId: string, input: { username: string; password: string; role?: string }): Promise<AdminView> {
    this.requireSuperAdmin(actorId, 'create admins');
    const username = String(input.username ?? '').trim();
    if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
      throw badRequest('admin', "field 'username' must be 3-32 characters of letters, digits, '_', '.' or '-'", 'username');
    }
    const password = checkPasswordRule(input.password, 'password', 'admin');
    const role = input.role === undefined || input.role === '' ? 'admin' : input.role;
    if (!(ADMIN_ROLES as readonly string[]).includes(role)) {
      throw badRequest('admin', `field 'role' must be one of ${ADMIN_ROLES.join(', ')} (got ${JSON.stringify(input.role)})`, 'role');
    }
    const hash = await hashPassword(password);
    const adminId = newId('adm');
    const now = nowMs();
    this.ctx.db.transaction(() => {
      if (this.ctx.db.prepare('SELECT 1 FROM admins WHERE username = ?').get(username)) throw conflict('admin', `admin '${username}' already exists`, 'username');
      this.ctx.db.prepare('INSERT INTO admins (admin_id, username, password_hash, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)')
        .run(adminId, username, hash, role, now, now);
      this.audit(actorId, 'admin.create', 'admin', adminId, { username, role });
    })();
    return adminView(this.admin(adminId)!);
  }

  setAdminStatus(actorId: string, adminId: string, status: number): void {
    this.requireSuperAdmin(actorId, 'enable or disable admins');
    if (status !== ADMIN_STATUS.enabled && status !== ADMIN_STATUS.disabled) {
      throw badRequest('admin', `field 'status' must be 1 (enabled) or 0 (disabled) (got ${status})`, 'status');
    }
    if (!this.admin(adminId)) throw notFound('admin', `admin ${adminId} not found`, 'adminId');
    if (adminId === actorId && status === ADMIN_STATUS.disabled) throw badRequest('admin', 'an admin cannot disable their own account', 'adminId');
    this.ctx.db.prepare('UPDATE admins SET status = ?, updated_at = ? WHERE admin_id = ?').run(status, nowMs(), adminId);
    this.audit(actorId, 'admin.status', 'admin', adminId, { status });
  }

  // ---- users ----

  listUsers(keyword: string | undefined, page: number, pageSize: number) {
    const r = this.ctx.domains.user.list(keyword, page, pageSize);
    return { users: r.users.map(adminUserView), total: r.total, page, pageSize };
  }

  userDetail(userId: string): Record<string, unknown> {
    const p = this.ctx.domains.user.profile(userId);
    if (!p) throw notFound('admin', `user ${userId} not found`, 'userId');
    return adminUserView(p);
  }

  /**
   * Ban: the user can no longer log in or refresh, every login session is revoked (existing tokens stop working), the
   * user's devices get `admin.user_banned` and `auth.force_logout`, then their WebSockets are closed.
   */
  banUser(actorId: string, userId: string, reason: string | undefined): void {
    const users = this.ctx.domains.user;
    const why = String(reason ?? '').trim();
    if (!users.setBanned(userId, why)) throw notFound('admin', `user ${userId} not found`, 'userId');
    this.ctx.domains.auth.revokeAll(userId);
    this.audit(actorId, 'user.ban', 'user', userId, why ? { reason: why } : {});
    this.ctx.bus.notify([userId], 'admin.user_banned', { userId, reason: why });
    this.ctx.bus.notify([userId], 'auth.force_logout', { userId, reason: 'banned' });
    this.ctx.bus.disconnectUser(userId, 4003, 'user banned');
  }

  unbanUser(actorId: string, userId: string): void {
    if (!this.ctx.domains.user.setBanned(userId, null)) throw notFound('admin', `user ${userId} not found`, 'userId');
    this.audit(actorId, 'user.unban', 'user', userId);
  }

  // ---- config ----

  config(): Record<string, string> {
    const rows = this.ctx.db.prepare('SELECT key, value FROM system_config ORDER BY key').all() as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Set one config value. `maintenance_mode` takes true|false; it and `announcement` are broadcast to connected users. */
  setConfig(actorId: string, key: string, value: string): void {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) throw badRequest('admin', "path parameter 'key' must be 1-64 characters of letters, digits, '_', '.' or '-'", 'key');
    if (typeof value !== 'string') throw badRequest('admin', "field 'value' must be a string", 'value');
    if (value.length > 4096) throw badRequest('admin', "field 'value' must be at most 4096 characters", 'value');
    if (key === 'maintenance_mode' && value !== 'true' && value !== 'false') {
      throw badRequest('admin', `field 'value' of maintenance_mode must be "true" or "false" (got ${JSON.stringify(value)})`, 'value');
    }
    const previous = this.config()[key];
    this.ctx.db.prepare(`INSERT INTO system_config (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`)
      .run(key, value, nowMs(), actorId);
    this.audit(actorId, 'config.update', 'config', key, { value, previous: previous ?? null });
    const everyone = () => [...new Set(this.ctx.bus.all().map((c) => c.userId))];
    if (key === 'announcement' && value !== '') this.ctx.bus.notify(everyone(), 'admin.announcement', { content: value });
    if (key === 'maintenance_mode' && value !== previous) this.ctx.bus.notify(everyone(), 'admin.maintenance', { enabled: value === 'true' });
  }

  // ---- groups (through the group service) ----

  private get groups(): GroupFacts {
    return (this.ctx.domains.group ?? {}) as unknown as GroupFacts;
  }

  async group(groupId: string): Promise<Record<string, unknown>> {
    const get = this.groups.getGroupInfo;
    if (!get) throw new AppError(500, 12500, 'the group service is not available');
    let g: unknown;
    try {
      g = await get.call(this.groups, groupId);
    } catch (e) {
      if (e instanceof AppError && e.status === 404) g = null;
      else throw e;
    }
    if (!g) throw notFound('admin', `group ${groupId} not found`, 'groupId');
    return g as Record<string, unknown>;
  }

  async dissolveGroup(actorId: string, groupId: string): Promise<void> {
    await this.group(groupId);
    const dissolve = this.groups.dissolve;
    if (!dissolve) throw new AppError(500, 12500, 'the group service is not available');
    await dissolve.call(this.groups, groupId, 'admin');
    this.audit(actorId, 'group.dissolve', 'group', groupId);
  }

  // ---- statistics and audit log ----

  stats(): { totalUsers: number; activeUsers: number; totalGroups: number; totalMessages: number; bannedUsers: number } {
    const users = this.ctx.domains.user;
    return {
      totalUsers: users.count(),
      activeUsers: users.countActiveSince(nowMs() - ACTIVE_WINDOW_MS),
      totalGroups: this.groups.count?.() ?? 0,
      totalMessages: ((this.ctx.domains.message ?? {}) as unknown as MessageFacts).count?.() ?? 0,
      bannedUsers: users.countBanned(),
    };
  }

  auditLogs(filter: { adminId?: string; action?: string }, page: number, pageSize: number): { logs: AuditEntry[]; total: number; page: number; pageSize: number } {
    const conds: string[] = [];
    const args: unknown[] = [];
    if (filter.adminId) { conds.push('admin_id = ?'); args.push(filter.adminId); }
    if (filter.action) { conds.push('action = ?'); args.push(filter.action); }
    const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
    const total = Number(this.ctx.db.prepare(`SELECT COUNT(*) FROM audit_logs ${where}`).pluck().get(...args));
    const rows = this.ctx.db.prepare(`SELECT * FROM audit_logs ${where} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, pageSize, pageOffset(page, pageSize)) as Array<{
      id: number; admin_id: string; action: string; target_type: string; target_id: string; detail: string; created_at: number;
    }>;
    const logs = rows.map((r) => ({
      id: r.id, adminId: r.admin_id, action: r.action, targetType: r.target_type, targetId: r.target_id, detail: r.detail, createdAt: isoFromMs(r.created_at),
    }));
    return { logs, total, page, pageSize };
  }
}
