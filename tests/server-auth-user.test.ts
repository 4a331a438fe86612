import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signJwt } from '../reference-server/auth/tokens.js';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { grpcClient, registerUser, rejectsWith, restClient, uniqueIdentity, wsConnect, type Call } from './support/server-clients.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
/** The same claims, re-signed with the server's secret but already expired. */
const expired = (s: RunningServer, jwt: string) => signJwt({ ...claimsOf(jwt), iat: 1_600_000_000, exp: 1_600_000_060 }, s.ctx.config.jwtSecret);
/** The same claims with header alg "none" and no signature. */
const algNone = (jwt: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${jwt.split('.')[1]}.`;

describe('reference server: auth and users (REST)', () => {
  let s: RunningServer;
  let call: Call;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
    call = restClient(s);
  });
  after(async () => { await s?.close(); });

  test('register returns a typed AuthResponse; login by phone and by email gives the same user', async () => {
    const id = uniqueIdentity();
    const reg = await call('POST /auth/register', {
      body: { phoneNumber: id.phone, email: id.email, password: 'Passw0rd123', verifyCode: 'any', deviceId: 'd1', deviceType: 'ios', clientVersion: '1.0.0' },
    });
    assert.equal(reg.status, 200);
    const data = reg.body.data;
    assert.ok(data.accessToken && data.refreshToken && data.userId);
    assert.equal(data.expiresIn, s.ctx.config.accessTtlSec);
    assert.deepEqual(data.user, { userId: data.userId, nickname: id.email.split('@')[0], avatar: '', phone: id.phone, email: id.email });

    const byPhone = await call('POST /auth/login', { body: { account: id.phone, password: 'Passw0rd123', deviceId: 'd2', deviceType: 'android', clientVersion: '1' } });
    const byEmail = await call('POST /auth/login', { body: { account: id.email.toUpperCase(), password: 'Passw0rd123', deviceId: 'd3', deviceType: 'web', clientVersion: '1' } });
    assert.equal(byPhone.body.data.userId, data.userId);
    assert.equal(byEmail.body.data.userId, data.userId);
    assert.equal(byEmail.body.data.user.userId, data.userId);

    const me = await call('GET /users/me', { token: byPhone.body.data.accessToken });
    assert.equal(me.body.data.userId, data.userId);
    assert.equal(me.body.data.phone, id.phone);
    assert.equal(me.body.data.email, id.email);
    assert.match(me.body.data.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const phoneOnly = uniqueIdentity();
    const r2 = await call('POST /auth/register', { body: { phoneNumber: phoneOnly.phone, password: 'abc12345', verifyCode: '1', deviceId: 'd', deviceType: 'ios', clientVersion: '1' } });
    assert.equal(r2.body.data.user.nickname, `User${phoneOnly.phone.slice(-4)}`);
    assert.ok(!('email' in r2.body.data.user));
  });

  test('register rejects bad input with 400 naming the field, duplicates with 409', async () => {
    const base = { password: 'Passw0rd123', verifyCode: '1', deviceId: 'd', deviceType: 'ios', clientVersion: '1' };
    const none = await call('POST /auth/register', { body: base });
    assert.equal(none.status, 400);
    assert.equal(none.body.code, 10400);
    assert.match(none.body.message, /phoneNumber/);
    for (const [password, why] of [['short1', 'too short'], ['onlyletters', 'no digit'], ['1234567890', 'no letter'], [`a1${'x'.repeat(31)}`, 'too long']]) {
      const r = await call('POST /auth/register', { body: { ...base, email: uniqueIdentity().email, password } });
      assert.equal(r.status, 400, why);
      assert.match(r.body.message, /password/, why);
    }
    const missing = await call('POST /auth/register', { body: { email: uniqueIdentity().email, password: 'Passw0rd123', deviceId: 'd', deviceType: 'ios', clientVersion: '1' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /verifyCode/);
    const badType = await call('POST /auth/register', { body: { ...base, email: uniqueIdentity().email, deviceType: 'blackberry' } });
    assert.equal(badType.status, 400);
    assert.match(badType.body.message, /deviceType/);

    const u = await registerUser(call);
    const dupPhone = await call('POST /auth/register', { body: { ...base, phoneNumber: u.phone } });
    assert.equal(dupPhone.status, 409);
    assert.equal(dupPhone.body.code, 10409);
    assert.match(dupPhone.body.message, /phoneNumber/);
    const dupEmail = await call('POST /auth/register', { body: { ...base, email: u.email.toUpperCase() } });
    assert.equal(dupEmail.status, 409);
    assert.match(dupEmail.body.message, /email/);
  });

  test('login failures: wrong password, unknown account, missing field', async () => {
    const u = await registerUser(call);
    const body = { account: u.phone, password: 'Wrong0000', deviceId: 'd', deviceType: 'ios', clientVersion: '1' };
    const wrong = await call('POST /auth/login', { body });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 10401);
    const unknown = await call('POST /auth/login', { body: { ...body, account: '19999999999' } });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.message, wrong.body.message, 'unknown account and wrong password look the same');
    const { password: _, ...noPassword } = body;
    const missing = await call('POST /auth/login', { body: noPassword });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /password/);
  });

  test('refresh rotates: the new access token works, the used refresh token does not; garbage is 401', async () => {
    const u = await registerUser(call);
    const r = await call('POST /auth/refresh', { body: { refreshToken: u.refreshToken } });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.userId, u.userId);
    assert.notEqual(r.body.data.refreshToken, u.refreshToken);
    assert.equal((await call('GET /users/me', { token: r.body.data.accessToken })).status, 200);
    assert.equal((await call('GET /users/me', { token: u.accessToken })).status, 200, 'refresh does not end the session');
    const reused = await call('POST /auth/refresh', { body: { refreshToken: u.refreshToken } });
    assert.equal(reused.status, 401);
    assert.match(reused.body.message, /already used/);
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: r.body.data.refreshToken } })).status, 200, 'the rotated token works once');
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: 'garbage' } })).status, 401);
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: u.accessToken } })).status, 401, 'an access token is not a refresh token');
  });

  test('logout revokes the calling session: its access and refresh tokens are rejected, other sessions live on', async () => {
    const u = await registerUser(call);
    const other = await call('POST /auth/login', { body: { account: u.email, password: u.password, deviceId: 'other', deviceType: 'web', clientVersion: '1' } });
    const out = await call('POST /auth/logout', { token: u.accessToken, body: { deviceId: u.deviceId } });
    assert.equal(out.status, 200);
    const after = await call('GET /users/me', { token: u.accessToken });
    assert.equal(after.status, 401);
    assert.match(after.body.message, /revoked/);
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: u.refreshToken } })).status, 401);
    assert.equal((await call('GET /users/me', { token: other.body.data.accessToken })).status, 200);
    const noDevice = await call('POST /auth/logout', { token: other.body.data.accessToken, body: {} });
    assert.equal(noDevice.status, 400);
    assert.match(noDevice.body.message, /deviceId/);
  });

  test('password change: wrong old ⇒ 401, weak new ⇒ 400; success revokes the other sessions and notifies the user', async () => {
    const u = await registerUser(call);
    const other = (await call('POST /auth/login', { body: { account: u.phone, password: u.password, deviceId: 'tablet', deviceType: 'android', clientVersion: '1' } })).body.data;
    const ws = await wsConnect(s, u.accessToken);
    try {
      const wrong = await call('POST /auth/password/change', { token: u.accessToken, body: { oldPassword: 'Nope12345', newPassword: 'NewPassw0rd' } });
      assert.equal(wrong.status, 401);
      const weak = await call('POST /auth/password/change', { token: u.accessToken, body: { oldPassword: u.password, newPassword: 'weak' } });
      assert.equal(weak.status, 400);
      assert.match(weak.body.message, /newPassword/);
      const ok = await call('POST /auth/password/change', { token: u.accessToken, body: { oldPassword: u.password, newPassword: 'NewPassw0rd' } });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ws.notification('auth.password_changed'), { userId: u.userId });
    } finally {
      ws.close();
    }
    assert.equal((await call('GET /users/me', { token: u.accessToken })).status, 200, 'the calling session stays');
    assert.equal((await call('GET /users/me', { token: other.accessToken })).status, 401, 'other sessions are revoked');
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: other.refreshToken } })).status, 401);
    const login = (password: string) => call('POST /auth/login', { body: { account: u.phone, password, deviceId: 'x', deviceType: 'ios', clientVersion: '1' } });
    assert.equal((await login(u.password)).status, 401);
    assert.equal((await login('NewPassw0rd')).status, 200);
  });

  test('access tokens: missing, malformed, bad signature, expired, alg none, refresh-as-access and admin tokens are rejected', async () => {
    const u = await registerUser(call);
    const parts = u.accessToken.split('.');
    const admin = (await call('POST /admin/auth/login', { body: { username: s.ctx.config.adminUser, password: s.ctx.config.adminPassword } })).body.data.token;
    const cases: Array<[string, { token?: string; auth?: string }, RegExp]> = [
      ['no header', {}, /missing Authorization/],
      ['not a JWT', { token: 'not-a-jwt' }, /well-formed/],
      ['bare token without Bearer', { auth: u.accessToken }, /Bearer/],
      ['bad signature', { token: `${parts[0]}.${parts[1]}.${Buffer.from('x'.repeat(32)).toString('base64url')}` }, /signature/],
      ['expired', { token: expired(s, u.accessToken) }, /expired/],
      ['alg none', { token: algNone(u.accessToken) }, /HS256/],
      ['refresh token as access', { token: u.refreshToken }, /refresh token cannot/],
      ['admin token', { token: admin }, /admin token cannot/],
    ];
    for (const [name, auth, message] of cases) {
      const r = await call('GET /users/me', auth);
      assert.equal(r.status, 401, name);
      assert.equal(r.body.code, 10401, name);
      assert.match(r.body.message, message, name);
    }
  });

  test('profile: PUT returns the new profile, GET agrees, the user and their friends are notified', async () => {
    const a = await registerUser(call);
    const b = await registerUser(call);
    const req = await call('POST /friends/requests', { token: a.accessToken, body: { userId: b.userId, message: 'hi', source: 'search' } });
    assert.equal(req.status, 200, JSON.stringify(req.body));
    const pending = await call('GET /friends/requests', { token: b.accessToken });
    const requestId = pending.body.data.requests.find((r: any) => (r.fromUserId ?? r.from_user_id) === a.userId).id;
    assert.equal((await call('PUT /friends/requests/{id}', { token: b.accessToken, params: { id: requestId }, body: { action: 'accept' } })).status, 200);

    const wsA = await wsConnect(s, a.accessToken);
    const wsB = await wsConnect(s, b.accessToken);
    try {
      const update = { nickname: 'Alice Liddell', signature: 'down the hole', gender: 2, region: 'Oxford', birthday: '1990-05-04T00:00:00Z', avatar: 'https://example.com/a.png' };
      const put = await call('PUT /users/me', { token: a.accessToken, body: update });
      assert.equal(put.status, 200);
      for (const [k, v] of Object.entries(update)) assert.equal(put.body.data[k], v, k);
      const get = await call('GET /users/me', { token: a.accessToken });
      assert.deepEqual(get.body.data, put.body.data);
      assert.deepEqual(await wsA.notification('user.profile_updated'), put.body.data);
      assert.deepEqual(await wsB.notification('user.friend_profile_changed'), { userId: a.userId, nickname: 'Alice Liddell', avatar: 'https://example.com/a.png' });
    } finally {
      wsA.close();
      wsB.close();
    }
    const partial = await call('PUT /users/me', { token: a.accessToken, body: { region: 'London' } });
    assert.equal(partial.body.data.nickname, 'Alice Liddell', 'a partial update leaves other fields alone');
    assert.equal(partial.body.data.region, 'London');
    for (const [body, field] of [[{ gender: 5 }, 'gender'], [{ birthday: 'yesterday' }, 'birthday'], [{ nickname: '   ' }, 'nickname']] as const) {
      const bad = await call('PUT /users/me', { token: a.accessToken, body });
      assert.equal(bad.status, 400, field);
      assert.match(bad.body.message, new RegExp(field));
    }
  });

  test('settings: defaults, partial update, validation', async () => {
    const u = await registerUser(call);
    const d = (await call('GET /users/me/settings', { token: u.accessToken })).body.data;
    assert.deepEqual(d, {
      userId: u.userId, notificationEnabled: true, soundEnabled: true, vibrationEnabled: true, messagePreviewEnabled: true,
      friendVerifyRequired: true, searchByPhone: true, searchById: true, language: 'zh-CN',
    });
    const put = await call('PUT /users/me/settings', { token: u.accessToken, body: { soundEnabled: false, language: 'en-US' } });
    assert.deepEqual(put.body.data, { ...d, soundEnabled: false, language: 'en-US' });
    assert.deepEqual((await call('GET /users/me/settings', { token: u.accessToken })).body.data, put.body.data);
    const bad = await call('PUT /users/me/settings', { token: u.accessToken, body: { soundEnabled: 'no' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /soundEnabled/);
  });

  test('push token upsert, search (nickname/phone/id, paging defaults, settings respected) and public user info', async () => {
    const tag = uniqueIdentity().tag;
    const users = [];
    for (let i = 0; i < 22; i++) users.push(await registerUser(call, { nickname: `pager${tag}-${i}` }));
    const [me, target] = [users[0]!, users[1]!];

    assert.equal((await call('POST /users/me/push-token', { token: me.accessToken, body: { deviceId: me.deviceId, pushToken: 'tok-1', platform: 'ios' } })).status, 200);
    assert.equal((await call('POST /users/me/push-token', { token: me.accessToken, body: { deviceId: me.deviceId, pushToken: 'tok-2', platform: 'android' } })).status, 200);
    assert.deepEqual(s.ctx.domains.user.pushTokens([me.userId]).map((t) => [t.deviceId, t.pushToken, t.platform]), [[me.deviceId, 'tok-2', 'android']]);
    const badPlatform = await call('POST /users/me/push-token', { token: me.accessToken, body: { deviceId: 'd', pushToken: 't', platform: 'web' } });
    assert.equal(badPlatform.status, 400);
    assert.match(badPlatform.body.message, /platform/);

    const page1 = (await call('GET /users/search', { token: me.accessToken, query: { keyword: `pager${tag}` } })).body.data;
    assert.equal(page1.total, 22);
    assert.equal(page1.users.length, 20, 'pageSize defaults to 20');
    const page2 = (await call('GET /users/search', { token: me.accessToken, query: { keyword: `pager${tag}`, page: 2, pageSize: 20 } })).body.data;
    assert.equal(page2.users.length, 2);
    assert.deepEqual(Object.keys(page2.users[0]).sort(), ['avatar', 'nickname', 'signature', 'userId']);
    const byPhone = (await call('GET /users/search', { token: me.accessToken, query: { keyword: target.phone } })).body.data;
    assert.deepEqual(byPhone.users.map((x: any) => x.userId), [target.userId]);
    const byId = (await call('GET /users/search', { token: me.accessToken, query: { keyword: target.userId } })).body.data;
    assert.deepEqual(byId.users.map((x: any) => x.userId), [target.userId]);
    await call('PUT /users/me/settings', { token: target.accessToken, body: { searchByPhone: false } });
    assert.equal((await call('GET /users/search', { token: me.accessToken, query: { keyword: target.phone } })).body.data.total, 0, 'searchByPhone=false hides the phone match');
    const noKeyword = await call('GET /users/search', { token: me.accessToken });
    assert.equal(noKeyword.status, 400);
    assert.match(noKeyword.body.message, /keyword/);
    const badSize = await call('GET /users/search', { token: me.accessToken, query: { keyword: 'x', pageSize: 1000 } });
    assert.equal(badSize.status, 400);
    assert.match(badSize.body.message, /pageSize/);

    const info = await call('GET /users/{userId}', { token: me.accessToken, params: { userId: target.userId } });
    assert.deepEqual(info.body.data, { userId: target.userId, nickname: `pager${tag}-1`, avatar: '', signature: '' });
    const unknown = await call('GET /users/{userId}', { token: me.accessToken, params: { userId: 'u_nobody' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 20404);
  });
});

describe('reference server: auth, user and push (gRPC)', () => {
  let s: RunningServer;
  let call: Call;
  let auth: ReturnType<typeof grpcClient>;
  let user: ReturnType<typeof grpcClient>;
  let push: ReturnType<typeof grpcClient>;
  before(async () => {
    s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
    call = restClient(s);
    auth = grpcClient(s, 'anychat.auth.AuthService');
    user = grpcClient(s, 'anychat.user.UserService');
    push = grpcClient(s, 'anychat.push.PushService');
  });
  after(async () => {
    auth?.close();
    user?.close();
    push?.close();
    await s?.close();
  });

  test('AuthService: Register, Login, ValidateToken, RefreshToken, ChangePassword, Logout', async () => {
    const id = uniqueIdentity();
    const reg = await auth.call('Register', { email: id.email, password: 'Passw0rd123', verify_code: '1', device_type: 'iOS', device_id: 'g1', client_version: '1' });
    assert.ok(reg.user_id && reg.access_token && reg.refresh_token);
    assert.equal(reg.expires_in, s.ctx.config.accessTtlSec);
    assert.equal((await call('GET /users/me', { token: reg.access_token })).body.data.userId, reg.user_id, 'a gRPC token works on REST');

    const login = await auth.call('Login', { account: id.email, password: 'Passw0rd123', device_type: 'android', device_id: 'g2', client_version: '1' });
    assert.equal(login.user_id, reg.user_id);
    assert.equal(login.user.user_id, reg.user_id);
    assert.equal(login.user.email, id.email);

    assert.deepEqual(await auth.call('ValidateToken', { access_token: login.access_token }), { valid: true, user_id: reg.user_id, device_id: 'g2', device_type: 'android' });
    assert.equal((await auth.call('ValidateToken', { access_token: 'garbage' })).valid, false);
    assert.equal((await auth.call('ValidateToken', { access_token: login.refresh_token })).valid, false);

    const refreshed = await auth.call('RefreshToken', { refresh_token: login.refresh_token });
    assert.ok(refreshed.access_token && refreshed.refresh_token);
    await rejectsWith(auth.call('RefreshToken', { refresh_token: login.refresh_token }), grpc.status.UNAUTHENTICATED);

    await rejectsWith(auth.call('ChangePassword', { user_id: reg.user_id, old_password: 'bad', new_password: 'NewPassw0rd1' }), grpc.status.UNAUTHENTICATED);
    await rejectsWith(auth.call('ChangePassword', { user_id: reg.user_id, old_password: 'Passw0rd123', new_password: 'short' }), grpc.status.INVALID_ARGUMENT);
    await auth.call('ChangePassword', { user_id: reg.user_id, old_password: 'Passw0rd123', new_password: 'NewPassw0rd1' });
    assert.equal((await auth.call('ValidateToken', { access_token: reg.access_token })).valid, false, 'over gRPC every session is revoked');

    const again = await auth.call('Login', { account: id.email, password: 'NewPassw0rd1', device_type: 'web', device_id: 'g3', client_version: '1' });
    await auth.call('Logout', { user_id: reg.user_id, device_id: 'g3' });
    assert.equal((await auth.call('ValidateToken', { access_token: again.access_token })).valid, false);

    await rejectsWith(auth.call('Register', { email: id.email, password: 'Passw0rd123', device_type: 'ios', device_id: 'x' }), grpc.status.ALREADY_EXISTS);
    await rejectsWith(auth.call('Register', { password: 'Passw0rd123', device_type: 'ios', device_id: 'x' }), grpc.status.INVALID_ARGUMENT);
    await rejectsWith(auth.call('Login', { account: id.email, password: 'wrong', device_type: 'ios', device_id: 'x' }), grpc.status.UNAUTHENTICATED);
  });

  test('UserService: every rpc over the same store as REST', async () => {
    const a = await registerUser(call, { nickname: 'grpc-a' });
    const b = await registerUser(call, { nickname: 'grpc-b' });

    const profile = await user.call('GetProfile', { user_id: a.userId });
    const rest = (await call('GET /users/me', { token: a.accessToken })).body.data;
    assert.equal(profile.user_id, a.userId);
    assert.equal(profile.nickname, rest.nickname);
    assert.equal(profile.phone, a.phone);
    assert.equal(profile.qrcode_url, rest.qrcodeUrl);
    assert.equal(profile.created_at.seconds, Math.floor(Date.parse(rest.createdAt) / 1000));

    const updated = await user.call('UpdateProfile', { user_id: a.userId, nickname: 'grpc-a2', gender: 1, birthday: { seconds: 631152000, nanos: 0 } });
    assert.equal(updated.nickname, 'grpc-a2');
    assert.equal(updated.signature, '', 'unset optional fields are left alone');
    const after = (await call('GET /users/me', { token: a.accessToken })).body.data;
    assert.equal(after.nickname, 'grpc-a2');
    assert.equal(after.gender, 1);
    assert.equal(after.birthday, '1990-01-01T00:00:00Z');

    const info = await user.call('GetUserInfo', { user_id: b.userId, target_user_id: a.userId });
    assert.deepEqual(info, { user_id: a.userId, nickname: 'grpc-a2', avatar: '', signature: '', gender: 1, region: '', is_friend: false, is_blocked: false });
    await rejectsWith(user.call('GetUserInfo', { user_id: b.userId, target_user_id: 'u_nobody' }), grpc.status.NOT_FOUND);

    const found = await user.call('SearchUsers', { keyword: 'grpc-a2', page: 1, page_size: 10 });
    assert.equal(found.total, 1);
    assert.equal(found.users[0].user_id, a.userId);

    const settings = await user.call('UpdateSettings', { user_id: a.userId, vibration_enabled: false, language: 'en' });
    assert.equal(settings.vibration_enabled, false);
    assert.equal(settings.sound_enabled, true);
    assert.deepEqual(await user.call('GetSettings', { user_id: a.userId }), settings);
    assert.equal((await call('GET /users/me/settings', { token: a.accessToken })).body.data.language, 'en');

    const qr = await user.call('RefreshQRCode', { user_id: a.userId });
    assert.ok(qr.qrcode_url && qr.expires_at.seconds > Date.now() / 1000);
    assert.notEqual(qr.qrcode_url, profile.qrcode_url);
    assert.equal((await user.call('GetUserByQRCode', { qrcode: qr.qrcode_url })).user_id, a.userId);
    await rejectsWith(user.call('GetUserByQRCode', { qrcode: profile.qrcode_url }), grpc.status.NOT_FOUND);

    assert.deepEqual(await user.call('UpdatePushToken', { user_id: a.userId, device_id: 'pd', push_token: 'pt-a', platform: 'iOS' }), {});
    assert.deepEqual(await user.call('InitUserData', { user_id: a.userId, nickname: 'ignored' }), {});
    assert.equal((await user.call('GetProfile', { user_id: a.userId })).nickname, 'grpc-a2', 'InitUserData does not overwrite a nickname');
    await rejectsWith(user.call('GetProfile', {}), grpc.status.INVALID_ARGUMENT);
    await rejectsWith(user.call('InitUserData', { user_id: 'u_nobody' }), grpc.status.NOT_FOUND);
  });

  test('PushService.SendPush counts devices, reports delivery; a token taken over by another user is reported invalid', async () => {
    const a = await registerUser(call);
    const b = await registerUser(call);
    const c = await registerUser(call);
    await call('POST /users/me/push-token', { token: a.accessToken, body: { deviceId: 'phone', pushToken: 'shared-token', platform: 'ios' } });
    await call('POST /users/me/push-token', { token: a.accessToken, body: { deviceId: 'tablet', pushToken: 'a-tablet', platform: 'android' } });
    const wsA = await wsConnect(s, a.accessToken);
    try {
      const r = await push.call('SendPush', { user_ids: [a.userId, b.userId, a.userId], title: 't', content: 'c', push_type: 'message', extras: { k: 'v' } });
      assert.equal(r.success_count, 2);
      assert.equal(r.failure_count, 1);
      assert.ok(r.msg_id);
      assert.deepEqual(await wsA.notification('push.delivery_status'), { msgId: r.msg_id, successCount: 2, failureCount: 1 });

      await call('POST /users/me/push-token', { token: c.accessToken, body: { deviceId: 'c-phone', pushToken: 'shared-token', platform: 'ios' } });
      assert.deepEqual(await wsA.notification('push.token_invalid'), { userId: a.userId, deviceId: 'phone', platform: 'ios', reason: 'registered_by_another_user' });
      assert.deepEqual(s.ctx.domains.user.pushTokens([a.userId]).map((t) => t.deviceId), ['tablet']);
    } finally {
      wsA.close();
    }
    await rejectsWith(push.call('SendPush', { user_ids: [] }), grpc.status.INVALID_ARGUMENT);
    await rejectsWith(push.call('SendPush', { user_ids: [a.userId], push_type: 'fax' }), grpc.status.INVALID_ARGUMENT);
  });
});

describe('reference server: auth and user faults are visible when switched on', () => {
  let s: RunningServer;
  let call: Call;
  before(async () => {
    s = await startServer({
      port: 0, grpcPort: 0, db: ':memory:',
      faults: ['auth.expired-accepted', 'auth.alg-none', 'auth.refresh-as-access', 'auth.logout-not-revoking', 'rest.required-dropped',
        'rest.timestamp-format', 'rest.pagination-ignored', 'rest.stale-read', 'grpc.state-not-shared'],
    });
    call = restClient(s);
  });
  after(async () => { await s?.close(); });

  test('forged and misused tokens are accepted; logout revokes nothing; login drops refreshToken', async () => {
    const u = await registerUser(call);
    assert.equal((await call('GET /users/me', { token: expired(s, u.accessToken) })).status, 200, 'auth.expired-accepted');
    assert.equal((await call('GET /users/me', { token: algNone(u.accessToken) })).status, 200, 'auth.alg-none');
    assert.equal((await call('GET /users/me', { token: u.refreshToken })).status, 200, 'auth.refresh-as-access');
    const login = await call('POST /auth/login', { body: { account: u.phone, password: u.password, deviceId: 'd', deviceType: 'ios', clientVersion: '1' } });
    assert.ok(login.body.data.accessToken);
    assert.ok(!('refreshToken' in login.body.data), 'rest.required-dropped');
    await call('POST /auth/logout', { token: u.accessToken, body: { deviceId: u.deviceId } });
    assert.equal((await call('GET /users/me', { token: u.accessToken })).status, 200, 'auth.logout-not-revoking');
    assert.equal((await call('POST /auth/refresh', { body: { refreshToken: u.refreshToken } })).status, 200, 'auth.logout-not-revoking');
  });

  test('profile time format, stale reads, ignored pagination and an unshared gRPC profile', async () => {
    const tag = uniqueIdentity().tag;
    const users = [];
    for (let i = 0; i < 21; i++) users.push(await registerUser(call, { nickname: `f${tag}-${i}` }));
    const u = users[0]!;
    const first = (await call('GET /users/me', { token: u.accessToken })).body.data;
    assert.match(first.createdAt, /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/, 'rest.timestamp-format');
    const put = await call('PUT /users/me', { token: u.accessToken, body: { nickname: 'renamed' } });
    assert.equal(put.body.data.nickname, 'renamed');
    assert.equal((await call('GET /users/me', { token: u.accessToken })).body.data.nickname, `f${tag}-0`, 'rest.stale-read');
    const found = (await call('GET /users/search', { token: u.accessToken, query: { keyword: `f${tag}`, pageSize: 5 } })).body.data;
    assert.equal(found.users.length, 20, 'rest.pagination-ignored (one was renamed)');
    const userSvc = grpcClient(s, 'anychat.user.UserService');
    try {
      assert.equal((await userSvc.call('GetProfile', { user_id: u.userId })).nickname, `f${tag}-0`, 'grpc.state-not-shared');
    } finally {
      userSvc.close();
    }
  });
});
