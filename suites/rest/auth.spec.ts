import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { loginBody, registerBody, userSeed } from '../../fixtures/users.js';
import { check } from '../check.js';
import { expectFields, expectStrictStatus, opCite, schemaCite } from './support.js';

const AUTH = schemaCite('gw.AuthResponse');

check({
  id: 'REST.A1', level: 'MUST', cites: [opCite('POST /auth/register'), AUTH],
  title: 'register with phone and email returns userId, accessToken, refreshToken and a positive integer expiresIn',
}, async ({ api, target }, testInfo) => {
  const seed = userSeed(target, testInfo.workerIndex);
  const res = await api.as(null).call('POST /auth/register', { body: registerBody(target, seed), expect: 'success' });
  expectFields(res, ['userId', 'accessToken', 'refreshToken', 'expiresIn'], 'register', AUTH);
  expectThat(Number.isInteger(res.data.expiresIn) && res.data.expiresIn > 0, {
    message: 'register: expiresIn is not a positive integer', expected: 'integer > 0', observed: res.data.expiresIn, cite: schemaCite('gw.AuthResponse', 'properties', 'expiresIn'), replay: res.replay,
  });
});

check({
  id: 'REST.A2', level: 'MUST', cites: opCite('POST /auth/register', 'responses', '409'),
  title: 'registering an existing phone or email fails (409)',
}, async ({ api, target, newUser }, testInfo) => {
  const u = await newUser();
  const again = { ...userSeed(target, testInfo.workerIndex), phone: u.phone, email: u.email };
  const cases = [
    { why: 'with an already registered phone and email', seed: again },
    { why: 'with an already registered phone', seed: { ...userSeed(target, testInfo.workerIndex), phone: u.phone } },
    { why: 'with an already registered email', seed: { ...userSeed(target, testInfo.workerIndex), email: u.email } },
  ];
  for (const c of cases) {
    const res = await api.as(null).call('POST /auth/register', { body: registerBody(target, c.seed), expect: 'failure', why: c.why, cite: opCite('POST /auth/register', 'responses', '409') });
    expectStrictStatus(target, res, 'POST /auth/register', 409, c.why);
  }
});

check({
  id: 'REST.A3', level: 'MUST', cites: [opCite('POST /auth/login'), schemaCite('gw.LoginRequest', 'properties', 'account'), AUTH],
  title: 'login by phone and by email yields the same userId, with tokens',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  const byPhone = await api.as(null).call('POST /auth/login', { body: loginBody(target, u, 'phone'), expect: 'success', why: 'by phone' });
  const byEmail = await api.as(null).call('POST /auth/login', { body: loginBody(target, u, 'email'), expect: 'success', why: 'by email' });
  for (const [how, res] of [['phone', byPhone], ['email', byEmail]] as const) {
    expectFields(res, ['userId', 'accessToken', 'refreshToken', 'expiresIn'], `login by ${how}`, AUTH);
    expectEqual(res.data.userId, u.userId, `userId from login by ${how}`, AUTH);
    if (res.data.user && typeof res.data.user === 'object' && res.data.user.userId !== undefined) {
      expectEqual(res.data.user.userId, u.userId, `user.userId from login by ${how}`, schemaCite('gw.UserInfo', 'properties', 'userId'));
    }
  }
});

check({
  id: 'REST.A4', level: 'MUST', cites: opCite('POST /auth/login', 'responses', '401'),
  title: 'login with a wrong password or an unknown account fails (401)',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  await api.as(null).call('POST /auth/login', { body: { ...loginBody(target, u), password: `${u.password}x9` }, expect: 'failure', why: 'a wrong password' });
  const unknown = userSeed(target, 0);
  await api.as(null).call('POST /auth/login', { body: loginBody(target, unknown), expect: 'failure', why: 'an account that was never registered' });
});

check({
  id: 'REST.A5', level: 'MUST', cites: [opCite('GET /users/me'), schemaCite('gw.UserProfile')],
  title: 'GET /users/me returns the registered user: userId, nickname, phone and email echo registration',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const me = await api.as(u).call('GET /users/me', { expect: 'success' });
  expectEqual(me.data.userId, u.userId, 'userId of /users/me', schemaCite('gw.UserProfile', 'properties', 'userId'));
  expectEqual(me.data.nickname, u.nickname, 'nickname of /users/me', schemaCite('gw.UserProfile', 'properties', 'nickname'));
  expectEqual(me.data.phone, u.phone, 'phone of /users/me', schemaCite('gw.UserProfile', 'properties', 'phone'));
  expectEqual(me.data.email, u.email, 'email of /users/me', schemaCite('gw.UserProfile', 'properties', 'email'));
});

check({
  id: 'REST.A6', level: 'MUST', cites: [opCite('POST /auth/refresh'), opCite('POST /auth/refresh', 'responses', '401')],
  title: 'refresh returns an accessToken that works; a garbage refresh token fails (401)',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const res = await api.as(null).call('POST /auth/refresh', { body: { refreshToken: u.refreshToken }, expect: 'success' });
  expectFields(res, ['accessToken'], 'refresh', AUTH);
  const me = await api.as(res.data.accessToken).call('GET /users/me', { expect: 'success', why: 'with the refreshed access token' });
  expectEqual(me.data.userId, u.userId, 'userId seen with the refreshed token', opCite('POST /auth/refresh'));
  await api.as(null).call('POST /auth/refresh', { body: { refreshToken: 'not-a-refresh-token' }, expect: 'failure', why: 'a garbage refresh token' });
});

check({
  id: 'REST.A7', level: 'MUST', cites: [opCite('POST /auth/password/change'), opCite('POST /auth/password/change', 'responses', '401')],
  title: 'change password: wrong old fails; right old succeeds; then only the new password logs in',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  const newPassword = `Bb2${u.password.slice(3)}z`;
  await api.as(u).call('POST /auth/password/change', { body: { oldPassword: `${u.password}x`, newPassword }, expect: 'failure', why: 'with a wrong oldPassword' });
  await api.as(u).call('POST /auth/password/change', { body: { oldPassword: u.password, newPassword }, expect: 'success' });
  await api.as(null).call('POST /auth/login', { body: loginBody(target, u), expect: 'failure', why: 'with the old password after it was changed' });
  await api.as(null).call('POST /auth/login', { body: loginBody(target, { ...u, password: newPassword }), expect: 'success', why: 'with the new password' });
});

check({
  id: 'REST.A8', level: 'MUST', cites: [opCite('POST /auth/logout'), schemaCite('gw.LogoutRequest')],
  title: "logout rejects that device's refresh token afterwards (strict: its access token too)",
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  await api.as(u).call('POST /auth/logout', { body: { deviceId: u.deviceId }, expect: 'success' });
  await api.as(null).call('POST /auth/refresh', { body: { refreshToken: u.refreshToken }, expect: 'failure', why: "the logged-out device's refresh token", cite: opCite('POST /auth/logout') });
  if (target.strict) {
    const res = await api.as(u).call('GET /users/me', { why: "with the logged-out device's access token" });
    if (res.ok) fail({ message: 'the access token still works after logout (strict: contract-notes I17)', expected: 'a failure envelope (401)', observed: res.body, cite: opCite('POST /auth/logout'), replay: res.replay });
  }
});
