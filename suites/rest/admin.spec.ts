import { expectThat } from '../../fixtures/failure.js';
import { num, str } from '../../fixtures/read.js';
import { ADMIN_LOGIN, adminClient, loginBody } from '../../fixtures/users.js';
import { check } from '../check.js';
import { adminSetup, expectAuthRejection, makeGroup, opCite, owns, requireAdminConfigured, securedOps, sweep, sampleRequest } from './support.js';
import { findDeep } from './tour.js';

/**
 * The admin area (contract-notes W13, I19): opt-in with admin credentials, MAY throughout — the contract types
 * almost nothing here (data: object, only HTTP 200 declared), so these checks read untyped data by value.
 */

const contains = (data: unknown, value: string) => JSON.stringify(data ?? null).includes(JSON.stringify(value));

check({
  id: 'REST.AD1', level: 'MAY', cites: [opCite('POST /admin/auth/login'), opCite('POST /admin/auth/logout')],
  title: 'admin login returns a token that works on an admin route; wrong credentials fail; logout succeeds',
}, async ({ api, target }) => {
  requireAdminConfigured(target);
  const { token, client } = await owns(ADMIN_LOGIN, () => adminClient(api, target));
  await client.call('GET /admin/stats/overview', { expect: 'success', why: 'with the fresh admin token' });
  await api.as(null).call('POST /admin/auth/login', { body: { username: target.admin!.user, password: `${target.admin!.password}-wrong` }, expect: 'failure', why: 'with a wrong password' });
  await api.as(token).call('POST /admin/auth/logout', { expect: 'success' });
});

check({
  id: 'REST.AD2', level: 'MAY', cites: [opCite('GET /admin/stats/overview'), 'anychat.admin.GetSystemStatsResponse'],
  title: 'stats overview counts at least the users this run registered (beyond the contract)',
}, async ({ api, target, newUser }) => {
  await newUser();
  const { client } = await adminSetup(api, target);
  const res = await client.call('GET /admin/stats/overview', { expect: 'success' });
  expectThat((num(res.data, 'totalUsers') ?? 0) >= 1, { message: 'totalUsers is not ≥ 1 although users exist', expected: 'totalUsers ≥ 1', observed: res.data, cite: 'anychat.admin.GetSystemStatsResponse.total_users', replay: res.replay });
});

check({
  id: 'REST.AD3', level: 'MAY', cites: [opCite('GET /admin/users'), opCite('GET /admin/users/{userId}'), opCite('GET /admin/groups/{groupId}'), opCite('DELETE /admin/groups/{groupId}')],
  title: "admin user search finds a user; user and group details name them; admin dissolve removes the user's group",
}, async ({ api, target, newUser }) => {
  const { client } = await adminSetup(api, target);
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const found = await client.call('GET /admin/users', { query: { keyword: a.nickname, page: 1, pageSize: 20 }, expect: 'success' });
  expectThat(contains(found.data, a.userId), { message: 'admin user search does not find the user by nickname', expected: a.userId, observed: found.data, cite: opCite('GET /admin/users'), replay: found.replay });
  const detail = await client.call('GET /admin/users/{userId}', { params: { userId: a.userId }, expect: 'success' });
  expectThat(contains(detail.data, a.userId), { message: 'admin user detail does not name the user', expected: a.userId, observed: detail.data, cite: opCite('GET /admin/users/{userId}'), replay: detail.replay });
  const g = await makeGroup(api, a, [b]);
  const gd = await client.call('GET /admin/groups/{groupId}', { params: { groupId: g.groupId }, expect: 'success' });
  expectThat(contains(gd.data, g.groupId), { message: 'admin group detail does not name the group', expected: g.groupId, observed: gd.data, cite: opCite('GET /admin/groups/{groupId}'), replay: gd.replay });
  await client.call('DELETE /admin/groups/{groupId}', { params: { groupId: g.groupId }, expect: 'success' });
  await api.as(a).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'failure', why: 'after an admin dissolved the group' });
});

check({
  id: 'REST.AD4', level: 'MAY', cites: [opCite('POST /admin/users/{userId}/ban'), opCite('POST /admin/users/{userId}/unban')],
  title: "a banned user's login fails; unban restores it (beyond the contract)",
}, async ({ api, target, newUser }) => {
  const { client } = await adminSetup(api, target);
  const u = await newUser();
  await client.call('POST /admin/users/{userId}/ban', { params: { userId: u.userId }, body: { reason: 'conformance' }, expect: 'success' });
  await api.as(null).call('POST /auth/login', { body: loginBody(target, u), expect: 'failure', why: 'for a banned user' });
  await client.call('POST /admin/users/{userId}/unban', { params: { userId: u.userId }, expect: 'success' });
  await api.as(null).call('POST /auth/login', { body: loginBody(target, u), expect: 'success', why: 'after unban' });
});

check({
  id: 'REST.AD5', level: 'MAY', cites: [opCite('PUT /admin/config/{key}'), opCite('GET /admin/config')],
  title: 'a config value set by PUT /admin/config/{key} is returned by GET /admin/config',
}, async ({ api, target }) => {
  const { client } = await adminSetup(api, target);
  const key = `conform.${target.runId}.flag`;
  const value = `v${Date.now()}`;
  await client.call('PUT /admin/config/{key}', { params: { key }, body: { value }, expect: 'success' });
  const res = await client.call('GET /admin/config', { expect: 'success' });
  expectThat(contains(res.data, key) && contains(res.data, value), { message: 'GET /admin/config does not show the value just set', expected: { [key]: value }, observed: res.data, cite: opCite('GET /admin/config'), replay: res.replay });
});

check({
  id: 'REST.AD6', level: 'MAY', cites: [opCite('POST /admin/admins'), opCite('GET /admin/admins'), opCite('PUT /admin/admins/{adminId}/status')],
  title: 'a created admin is listed, can log in, and its status can be set',
}, async ({ api, target }) => {
  const { client } = await adminSetup(api, target);
  const username = `cf${target.runId}${Date.now() % 1e7}`;
  await client.call('POST /admin/admins', { body: { username, password: 'Conform@12345', role: 'admin' }, expect: 'success' });
  const list = await client.call('GET /admin/admins', { expect: 'success' });
  const entry = findDeep(list.data, (o) => str(o, 'username') === username);
  expectThat(!!entry, { message: 'the new admin is not listed', expected: username, observed: list.data, cite: opCite('GET /admin/admins'), replay: list.replay });
  await api.as(null).call('POST /admin/auth/login', { body: { username, password: 'Conform@12345' }, expect: 'success', why: 'as the new admin' });
  const adminId = str(entry, 'adminId') ?? str(entry, 'id') ?? '';
  await client.call('PUT /admin/admins/{adminId}/status', { params: { adminId }, body: { status: num(entry, 'status') ?? 1 }, expect: 'success' });
});

check({
  id: 'REST.AD7', level: 'MAY', cites: opCite('GET /admin/audit-logs'),
  title: 'an admin action adds to the audit log (beyond the contract)',
}, async ({ api, target, newUser }) => {
  const { client } = await adminSetup(api, target);
  const u = await newUser();
  const count = async () => {
    const res = await client.call('GET /admin/audit-logs', { query: { page: 1, pageSize: 100 }, expect: 'success' });
    const total = num(res.data, 'total') ?? NaN;
    return { n: Number.isFinite(total) ? total : (Object.values(res.data ?? {}).find(Array.isArray) as unknown[] | undefined)?.length ?? 0, res };
  };
  const before = await count();
  await client.call('POST /admin/users/{userId}/ban', { params: { userId: u.userId }, body: { reason: 'audit' }, expect: 'success' });
  await client.call('POST /admin/users/{userId}/unban', { params: { userId: u.userId }, expect: 'success' });
  const after = await count();
  expectThat(after.n > before.n || contains(after.res.data, u.userId), { message: 'the audit log did not grow after ban/unban', expected: `more than ${before.n} entries, or one naming ${u.userId}`, observed: after.res.data, cite: opCite('GET /admin/audit-logs'), replay: after.res.replay });
});

check({
  id: 'REST.AD8', level: 'MAY', cites: securedOps(true).map((k) => opCite(k, 'security')),
  title: 'every admin operation fails without a token and with a user access token',
}, async ({ api, target, newUser }) => {
  await adminSetup(api, target);
  const u = await newUser();
  await sweep(securedOps(true), (k) => k, async (key) => {
    for (const [who, what] of [[null, 'no token'], [u, 'a user access token']] as const) {
      const res = await api.as(who).call(key, { ...sampleRequest(key, target.seed), allowStatus: [401, 403] });
      expectAuthRejection(res, key, target, what, opCite(key, 'security'));
    }
  });
});
