import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { grpcClient, registerUser, rejectsWith, restClient, uniqueIdentity, wsConnect, type Call } from './support/server-clients.js';

/**
 * Admin ops declare only HTTP 200 (a contract defect `contracts lint` reports as SECURED-WITHOUT-401), so besides 401
 * a failure is HTTP 200 with a non-zero admin-range code (12000 + the natural status), never a success.
 */
function assertAdminFailure(res: { status: number; body: any }, natural: number, message?: string): void {
  assert.equal(res.status, 200, message);
  assert.equal(res.body.code, 12000 + natural, message);
  assert.equal(res.body.data, undefined, 'no data on errors');
}

async function adminLogin(s: RunningServer, call: Call, username = s.ctx.config.adminUser, password = s.ctx.config.adminPassword) {
  const r = await call('POST /admin/auth/login', { body: { username, password } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data as { token: string; adminId: string; username: string; role: string; expiresIn: number };
}

describe('reference server: admin (REST)', () => {
  let s: RunningServer;
  let call: Call;
  let root: Awaited<ReturnType<typeof adminLogin>>;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:', adminUser: 'root', adminPassword: 'R00tPassword' });
    call = restClient(s);
    root = await adminLogin(s, call);
  });
  after(async () => { await s?.close(); });

  test('admin login: seeded super_admin, wrong password 401, user tokens and no token rejected, logout revokes', async () => {
    assert.equal(root.username, 'root');
    assert.equal(root.role, 'super_admin');
    assert.equal(root.expiresIn, s.ctx.config.accessTtlSec);
    const wrong = await call('POST /admin/auth/login', { body: { username: 'root', password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 12401);
    const missing = await call('POST /admin/auth/login', { body: { username: 'root' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /password/);

    const u = await registerUser(call);
    for (const [name, opts] of [['none', {}], ['user token', { token: u.accessToken }], ['garbage', { token: 'x.y.z' }]] as const) {
      const r = await call('GET /admin/stats/overview', opts);
      assert.equal(r.status, 401, name);
      assert.equal(r.body.code, 12401, name);
    }
    const second = await adminLogin(s, call);
    assert.equal((await call('POST /admin/auth/logout', { token: second.token })).status, 200);
    const afterLogout = await call('GET /admin/stats/overview', { token: second.token });
    assert.equal(afterLogout.status, 401);
    assert.match(afterLogout.body.message, /logged out/);
    assert.equal((await call('GET /admin/stats/overview', { token: root.token })).status, 200, 'other admin sessions stay');
  });

  test('users: list with keyword and paging, detail, 404', async () => {
    const tag = uniqueIdentity().tag;
    const a = await registerUser(call, { nickname: `adm${tag}-a` });
    await registerUser(call, { nickname: `adm${tag}-b` });
    const list = (await call('GET /admin/users', { token: root.token, query: { keyword: `adm${tag}`, page: 1, pageSize: 1 } })).body.data;
    assert.equal(list.total, 2);
    assert.equal(list.users.length, 1);
    assert.equal(list.page, 1);
    assert.equal(list.pageSize, 1);
    const byPhone = (await call('GET /admin/users', { token: root.token, query: { keyword: a.phone } })).body.data;
    assert.deepEqual(byPhone.users.map((x: any) => x.userId), [a.userId]);
    const all = (await call('GET /admin/users', { token: root.token })).body.data;
    assert.ok(all.total >= 2);
    assert.equal(all.pageSize, 20);
    const detail = (await call('GET /admin/users/{userId}', { token: root.token, params: { userId: a.userId } })).body.data;
    assert.equal(detail.userId, a.userId);
    assert.equal(detail.status, 'active');
    assert.equal(detail.phone, a.phone);
    const unknown = await call('GET /admin/users/{userId}', { token: root.token, params: { userId: 'u_nobody' } });
    assertAdminFailure(unknown, 404);
    assert.equal(unknown.body.code, 12404);
  });

  test('ban blocks login and existing tokens, notifies and disconnects the user; unban restores login', async () => {
    const u = await registerUser(call);
    const ws = await wsConnect(s, u.accessToken);
    try {
      assert.equal((await call('POST /admin/users/{userId}/ban', { token: root.token, params: { userId: u.userId }, body: { reason: 'spam' } })).status, 200);
      assert.deepEqual(await ws.notification('admin.user_banned'), { userId: u.userId, reason: 'spam' });
      assert.deepEqual(await ws.notification('auth.force_logout'), { userId: u.userId, reason: 'banned' });
      assert.equal((await ws.waitClosed()).code, 4003);
    } finally {
      ws.close();
    }
    assert.equal((await call('GET /users/me', { token: u.accessToken })).status, 401, 'existing access token rejected');
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: u.refreshToken } })).status, 401, 'refresh rejected');
    const login = () => call('POST /auth/login', { body: { account: u.phone, password: u.password, deviceId: 'd', deviceType: 'ios', clientVersion: '1' } });
    const blocked = await login();
    assert.equal(blocked.status, 401);
    assert.match(blocked.body.message, /banned: spam/);
    const detail = (await call('GET /admin/users/{userId}', { token: root.token, params: { userId: u.userId } })).body.data;
    assert.equal(detail.status, 'banned');
    assert.equal(detail.banReason, 'spam');
    assert.ok((await call('GET /admin/stats/overview', { token: root.token })).body.data.bannedUsers >= 1);

    assert.equal((await call('POST /admin/users/{userId}/unban', { token: root.token, params: { userId: u.userId } })).status, 200);
    const relogin = await login();
    assert.equal(relogin.status, 200);
    assert.equal((await call('GET /users/me', { token: relogin.body.data.accessToken })).status, 200);
    assertAdminFailure((await call('POST /admin/users/{userId}/ban', { token: root.token, params: { userId: 'u_nobody' }, body: {} })), 404);
    assertAdminFailure((await call('POST /admin/users/{userId}/unban', { token: root.token, params: { userId: 'u_nobody' } })), 404);
  });

  test('admins: create (validation, 409 duplicate), list, disable blocks login and tokens, only super_admin manages admins', async () => {
    const name = `ops${uniqueIdentity().tag}`;
    assert.equal((await call('POST /admin/admins', { token: root.token, body: { username: name, password: 'OpsPassw0rd', role: 'operator' } })).status, 200);
    const dup = await call('POST /admin/admins', { token: root.token, body: { username: name.toUpperCase(), password: 'OpsPassw0rd' } });
    assertAdminFailure(dup, 409);
    assert.equal(dup.body.code, 12409);
    for (const [body, field] of [[{ username: 'x', password: 'OpsPassw0rd' }, 'username'], [{ username: `${name}b`, password: 'short' }, 'password'], [{ username: `${name}c`, password: 'OpsPassw0rd', role: 'god' }, 'role']] as const) {
      const r = await call('POST /admin/admins', { token: root.token, body });
      assertAdminFailure(r, 400, field);
      assert.match(r.body.message, new RegExp(field));
    }
    const list = (await call('GET /admin/admins', { token: root.token })).body.data;
    const ops = list.admins.find((a: any) => a.username === name);
    assert.equal(ops.role, 'operator');
    assert.equal(ops.status, 1);
    assert.equal(list.total, list.admins.length);

    const opsSession = await adminLogin(s, call, name, 'OpsPassw0rd');
    const forbidden = await call('POST /admin/admins', { token: opsSession.token, body: { username: `${name}x`, password: 'OpsPassw0rd' } });
    assertAdminFailure(forbidden, 403);
    assert.equal((await call('GET /admin/users', { token: opsSession.token })).status, 200, 'an operator may read');

    assert.equal((await call('PUT /admin/admins/{adminId}/status', { token: root.token, params: { adminId: ops.adminId }, body: { status: 0 } })).status, 200);
    assert.equal((await call('GET /admin/users', { token: opsSession.token })).status, 401, 'a disabled admin\'s token is rejected');
    const disabledLogin = await call('POST /admin/auth/login', { body: { username: name, password: 'OpsPassw0rd' } });
    assert.equal(disabledLogin.status, 401);
    assert.match(disabledLogin.body.message, /disabled/);
    assert.equal((await call('PUT /admin/admins/{adminId}/status', { token: root.token, params: { adminId: ops.adminId }, body: { status: 1 } })).status, 200);
    await adminLogin(s, call, name, 'OpsPassw0rd');

    const badStatus = await call('PUT /admin/admins/{adminId}/status', { token: root.token, params: { adminId: ops.adminId }, body: { status: 7 } });
    assertAdminFailure(badStatus, 400);
    assert.match(badStatus.body.message, /status/);
    assertAdminFailure((await call('PUT /admin/admins/{adminId}/status', { token: root.token, params: { adminId: 'adm_nobody' }, body: { status: 1 } })), 404);
    assertAdminFailure((await call('PUT /admin/admins/{adminId}/status', { token: root.token, params: { adminId: root.adminId }, body: { status: 0 } })), 400, 'no self-lockout');
  });

  test('config: defaults, set, validation; announcement and maintenance are broadcast', async () => {
    const cfg = (await call('GET /admin/config', { token: root.token })).body.data;
    assert.equal(cfg.site_name, 'AnyChat');
    assert.equal(cfg.maintenance_mode, 'false');
    assert.equal((await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'site_name' }, body: { value: 'Chatty' } })).status, 200);
    assert.equal((await call('GET /admin/config', { token: root.token })).body.data.site_name, 'Chatty');
    const badValue = await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'maintenance_mode' }, body: { value: 'maybe' } });
    assertAdminFailure(badValue, 400);
    assert.match(badValue.body.message, /value/);
    const noValue = await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'site_name' }, body: {} });
    assertAdminFailure(noValue, 400);
    assert.match(noValue.body.message, /value/);

    const u = await registerUser(call);
    const ws = await wsConnect(s, u.accessToken);
    try {
      await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'announcement' }, body: { value: 'hello all' } });
      assert.deepEqual(await ws.notification('admin.announcement'), { content: 'hello all' });
      await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'maintenance_mode' }, body: { value: 'true' } });
      assert.deepEqual(await ws.notification('admin.maintenance'), { enabled: true });
    } finally {
      ws.close();
    }
    await call('PUT /admin/config/{key}', { token: root.token, params: { key: 'maintenance_mode' }, body: { value: 'false' } });
  });

  test('groups: detail and dissolve through the group service; unknown ⇒ 404', async () => {
    const a = await registerUser(call);
    const b = await registerUser(call);
    const groupsBefore = (await call('GET /admin/stats/overview', { token: root.token })).body.data.totalGroups;
    const created = await call('POST /groups', { token: a.accessToken, body: { name: 'admin-test', memberIds: [b.userId] } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const groupId = created.body.data.groupId;
    assert.equal((await call('GET /admin/stats/overview', { token: root.token })).body.data.totalGroups, groupsBefore + 1);
    const g = (await call('GET /admin/groups/{groupId}', { token: root.token, params: { groupId } })).body.data;
    assert.equal(g.groupId, groupId);
    assert.equal(g.name, 'admin-test');
    assert.equal((await call('DELETE /admin/groups/{groupId}', { token: root.token, params: { groupId } })).status, 200);
    assert.equal((await call('GET /groups/{id}', { token: a.accessToken, params: { id: groupId } })).status, 404);
    assertAdminFailure((await call('GET /admin/groups/{groupId}', { token: root.token, params: { groupId } })), 404);
    assertAdminFailure((await call('DELETE /admin/groups/{groupId}', { token: root.token, params: { groupId: 'g_nobody' } })), 404);
  });

  test('stats count users; the audit log records every admin write and filters by admin and action', async () => {
    const before = (await call('GET /admin/stats/overview', { token: root.token })).body.data;
    await registerUser(call);
    const stats = (await call('GET /admin/stats/overview', { token: root.token })).body.data;
    assert.equal(stats.totalUsers, before.totalUsers + 1);
    assert.equal(stats.activeUsers, before.activeUsers + 1);
    for (const k of ['totalGroups', 'totalMessages', 'bannedUsers']) assert.equal(typeof stats[k], 'number', k);

    const logsBefore = (await call('GET /admin/audit-logs', { token: root.token })).body.data;
    const u = await registerUser(call);
    await call('POST /admin/users/{userId}/ban', { token: root.token, params: { userId: u.userId }, body: { reason: 'audit me' } });
    await call('POST /admin/users/{userId}/unban', { token: root.token, params: { userId: u.userId } });
    const logs = (await call('GET /admin/audit-logs', { token: root.token })).body.data;
    assert.equal(logs.total, logsBefore.total + 2);
    assert.deepEqual(logs.logs.slice(0, 2).map((l: any) => [l.action, l.targetType, l.targetId, l.adminId]), [
      ['user.unban', 'user', u.userId, root.adminId],
      ['user.ban', 'user', u.userId, root.adminId],
    ]);
    assert.deepEqual(JSON.parse(logs.logs[1].detail), { reason: 'audit me' });
    assert.match(logs.logs[0].createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const bans = (await call('GET /admin/audit-logs', { token: root.token, query: { action: 'user.ban', adminId: root.adminId, page: 1, pageSize: 1 } })).body.data;
    assert.ok(bans.total >= 1);
    assert.equal(bans.logs.length, 1);
    assert.equal(bans.logs[0].action, 'user.ban');
    assert.equal(bans.pageSize, 1);
    assert.equal((await call('GET /admin/audit-logs', { token: root.token, query: { adminId: 'adm_nobody' } })).body.data.total, 0);
    const logins = (await call('GET /admin/audit-logs', { token: root.token, query: { action: 'admin.login', pageSize: 100 } })).body.data.logs;
    assert.ok(logins.length >= 1);
    assert.ok(logins.every((l: any) => l.action === 'admin.login'));
    assert.ok(logins.some((l: any) => l.adminId === root.adminId && l.targetId === root.adminId));
  });
});

describe('reference server: admin (gRPC) and fault authz.admin-open', () => {
  let s: RunningServer;
  let call: Call;
  let adminSvc: ReturnType<typeof grpcClient>;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:', faults: ['authz.admin-open'] });
    call = restClient(s);
    adminSvc = grpcClient(s, 'anychat.admin.AdminService');
  });
  after(async () => {
    adminSvc?.close();
    await s?.close();
  });

  test('AdminService: GetSystemStats, BanUser, UnbanUser share the REST domain', async () => {
    const u = await registerUser(call);
    const stats = await adminSvc.call('GetSystemStats', {});
    assert.equal(stats.total_users, 1);
    assert.equal(stats.active_users, 1);
    assert.equal(stats.banned_users, 0);
    assert.deepEqual(await adminSvc.call('BanUser', { user_id: u.userId, reason: 'grpc' }), {});
    assert.equal((await adminSvc.call('GetSystemStats', {})).banned_users, 1);
    assert.equal((await call('GET /users/me', { token: u.accessToken })).status, 401);
    assert.deepEqual(await adminSvc.call('UnbanUser', { user_id: u.userId }), {});
    assert.equal((await adminSvc.call('GetSystemStats', {})).banned_users, 0);
    await rejectsWith(adminSvc.call('BanUser', { user_id: 'u_nobody' }), grpc.status.NOT_FOUND);
    await rejectsWith(adminSvc.call('UnbanUser', {}), grpc.status.INVALID_ARGUMENT);
    const root = await adminLogin(s, call);
    const logs = (await call('GET /admin/audit-logs', { token: root.token, query: { adminId: 'system:grpc' } })).body.data;
    assert.deepEqual(logs.logs.map((l: any) => l.action), ['user.unban', 'user.ban']);
  });

  test('with authz.admin-open a user access token passes admin authentication', async () => {
    const u = await registerUser(call);
    const r = await call('GET /admin/stats/overview', { token: u.accessToken });
    assert.equal(r.status, 200);
    assert.equal((await call('GET /admin/stats/overview', {})).status, 401, 'no token is still rejected');
  });
});
