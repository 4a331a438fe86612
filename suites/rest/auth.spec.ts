import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import { field, num, str } from '../../fixtures/read.js';
import { REGISTER } from '../../fixtures/rest.js';
import { contractEnum, enumCite, enumFallback, loginBody, markEnumRefused, registerBody, userSeed } from '../../fixtures/users.js';
import { check } from '../check.js';
import { block, expectFields, expectStrictStatus, opCite, owns, schemaCite } from './support.js';

const AUTH = schemaCite('gw.AuthResponse');

check({
  id: 'REST.A1', level: 'MUST', cites: [opCite('POST /auth/register'), AUTH],
  title: 'register with phone and email returns userId, accessToken, refreshToken and a positive integer expiresIn',
}, async ({ api, target }, testInfo) => {
  await owns(REGISTER, async () => {
    // A1 judges registration as behaviour; envelope/shape deviations of the answer are REST.HG1–HG3's, reported once there.
    const seed = userSeed(target, testInfo.workerIndex);
    const res = await api.collecting([]).as(null).call('POST /auth/register', { body: registerBody(target, seed), expect: 'success' });
    expectFields(res, ['userId', 'accessToken', 'refreshToken', 'expiresIn'], 'register', AUTH);
    const expiresIn = num(res.data, 'expiresIn');
    expectThat(expiresIn !== undefined && Number.isInteger(expiresIn) && expiresIn > 0, {
      message: 'register: expiresIn is not a positive integer', expected: 'integer > 0', observed: field(res.data, 'expiresIn') ?? null, cite: schemaCite('gw.AuthResponse', 'properties', 'expiresIn'), replay: res.replay,
    });
  });
});

check({
  id: 'REST.A1-ENUM', level: 'MUST', cites: [opCite('POST /auth/register'), enumCite('deviceType'), schemaCite('gw.LoginRequest', 'properties', 'deviceType', 'enum')],
  title: "a client using the contract's deviceType can register and log in",
}, async ({ api, target, recorder }, testInfo) => {
  const values = contractEnum('deviceType');
  const contract = values[0]!;
  const override = enumFallback('deviceType', target);
  if (override && !values.includes(override)) recorder.warn(`--device-type ${JSON.stringify(override)} is not a contract enum value (${values.join(' | ')}): it is used only if the target refuses ${JSON.stringify(contract)}`);
  const seed = userSeed(target, testInfo.workerIndex);
  const reg = await api.as(null).call('POST /auth/register', { body: registerBody(target, seed, contract) });
  if (!reg.ok) {
    // Refused for the deviceType, or is registration itself broken (REST.A1's)? The override registering, or the
    // refusal naming the field, says the former; otherwise this check cannot judge the enum.
    const viaOverride = override && override !== contract
      ? (await api.as(null).call('POST /auth/register', { body: registerBody(target, userSeed(target, testInfo.workerIndex), override) })).ok
      : false;
    const namesField = /device_?type/i.test(JSON.stringify(reg.body ?? ''));
    if (!viaOverride && !namesField) block(`registration fails with the contract's deviceType and ${override ? `with --device-type ${JSON.stringify(override)} too` : 'no other value was given (--device-type)'}: HTTP ${reg.status}, code ${reg.code ?? '?'}`, 'REST.A1');
    markEnumRefused('deviceType', `HTTP ${reg.status}, code ${reg.code ?? '?'}`);
    fail({
      message: `a client using the contract's deviceType ${JSON.stringify(contract)} cannot register: HTTP ${reg.status}, code ${reg.code ?? '?'}, message ${JSON.stringify(reg.body?.message ?? null)}${override ? ` (the run continues with --device-type ${JSON.stringify(override)})` : ''}`,
      expected: `a success envelope for deviceType ${JSON.stringify(contract)} (${values.join(' | ')} is the contract's enum)`,
      observed: { status: reg.status, body: reg.body },
      cite: enumCite('deviceType'),
      replay: reg.replay,
    });
  }
  const login = await api.as(null).call('POST /auth/login', { body: loginBody(target, seed, 'phone', seed.deviceId, contract) });
  if (!login.ok) {
    fail({
      message: `a client using the contract's deviceType ${JSON.stringify(contract)} cannot log in: HTTP ${login.status}, code ${login.code ?? '?'}`,
      expected: `a success envelope for deviceType ${JSON.stringify(contract)}`,
      observed: { status: login.status, body: login.body },
      cite: schemaCite('gw.LoginRequest', 'properties', 'deviceType', 'enum'),
      replay: login.replay,
    });
  }
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
    expectEqual(str(res.data, 'userId'), u.userId, `userId from login by ${how}`, AUTH);
    const nested = str(res.data, 'user.userId');
    if (nested !== undefined) expectEqual(nested, u.userId, `user.userId from login by ${how}`, schemaCite('gw.UserInfo', 'properties', 'userId'));
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
  for (const [f, want] of [['userId', u.userId], ['nickname', u.nickname], ['phone', u.phone], ['email', u.email]] as const) {
    expectEqual(str(me.data, f) ?? null, want, `${f} of /users/me`, schemaCite('gw.UserProfile', 'properties', f));
  }
});

check({
  id: 'REST.A6', level: 'MUST', cites: [opCite('POST /auth/refresh'), opCite('POST /auth/refresh', 'responses', '401')],
  title: 'refresh returns an accessToken that works; a garbage refresh token fails (401)',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const res = await api.as(null).call('POST /auth/refresh', { body: { refreshToken: u.refreshToken }, expect: 'success' });
  expectFields(res, ['accessToken'], 'refresh', AUTH);
  const me = await api.as(str(res.data, 'accessToken')!).call('GET /users/me', { expect: 'success', why: 'with the refreshed access token' });
  expectEqual(str(me.data, 'userId') ?? null, u.userId, 'userId seen with the refreshed token', opCite('POST /auth/refresh'));
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
