import { expectEqual, expectThat } from '../../fixtures/failure.js';
import { field, num, str, timeMs } from '../../fixtures/read.js';
import { contractEnum, enumCite, markEnumRefused, randomAlnum } from '../../fixtures/users.js';
import { check } from '../check.js';
import { idsOf, opCite, schemaCite, visibleList } from './support.js';

const PROFILE = schemaCite('gw.UserProfile');
const SETTINGS = schemaCite('gw.UserSettings');
const SETTING_FLAGS = ['notificationEnabled', 'soundEnabled', 'vibrationEnabled', 'messagePreviewEnabled', 'friendVerifyRequired', 'searchByPhone', 'searchById'] as const;

/** Same instant, whatever time form the server chose (RFC 3339 is judged by REST.HG16). */
const sameInstant = (a: unknown, b: string) => timeMs(a) !== undefined && timeMs(a) === Date.parse(b);

check({
  id: 'REST.U1', level: 'MUST', cites: [opCite('PUT /users/me'), opCite('GET /users/me'), schemaCite('gw.UpdateProfileRequest')],
  title: 'PUT /users/me returns the updated profile and a later GET agrees',
}, async ({ api, newUser }) => {
  const u = await newUser();
  await api.as(u).call('GET /users/me', { expect: 'success' });
  // Conservative values: the contract sets no nickname limit, real servers do (≤ 16 characters here).
  const update = { nickname: `u1${randomAlnum(8)}`, signature: 'conformance signature', gender: 2, region: 'Testland', birthday: '1990-05-17T00:00:00Z' };
  const put = await api.as(u).call('PUT /users/me', { body: update, expect: 'success' });
  const got = await api.as(u).call('GET /users/me', { expect: 'success' });
  for (const [where, res] of [['PUT response', put], ['later GET', got]] as const) {
    for (const f of ['nickname', 'signature', 'gender', 'region'] as const) {
      expectEqual(field(res.data, f) ?? null, update[f], `${f} in the ${where}`, schemaCite('gw.UserProfile', 'properties', f));
    }
    expectThat(sameInstant(field(res.data, 'birthday'), update.birthday), {
      message: `birthday in the ${where} is not the instant that was set`, expected: update.birthday, observed: field(res.data, 'birthday') ?? null, cite: schemaCite('gw.UserProfile', 'properties', 'birthday'), replay: res.replay,
    });
    expectEqual(str(res.data, 'userId') ?? null, u.userId, `userId in the ${where}`, PROFILE);
  }
});

check({
  id: 'REST.U2', level: 'MUST', cites: [opCite('PUT /users/me/settings'), opCite('GET /users/me/settings'), schemaCite('gw.UpdateSettingsRequest')],
  title: 'PUT /users/me/settings flips every flag and sets language; the response and a later GET agree',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const before = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  const update: Record<string, unknown> = { language: str(before.data, 'language') === 'en-US' ? 'zh-CN' : 'en-US' };
  for (const f of SETTING_FLAGS) update[f] = !(field(before.data, f) ?? false);
  const put = await api.as(u).call('PUT /users/me/settings', { body: update, expect: 'success' });
  const got = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  for (const [where, res] of [['PUT response', put], ['later GET', got]] as const) {
    for (const [f, v] of Object.entries(update)) expectEqual(field(res.data, f) ?? null, v, `${f} in the ${where}`, schemaCite('gw.UserSettings', 'properties', f));
  }
});

check({
  id: 'REST.U2-PARTIAL', level: 'SHOULD', cites: [opCite('PUT /users/me/settings'), schemaCite('gw.UpdateSettingsRequest')],
  title: 'a partial settings update changes only the fields sent',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const before = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  const flipped = !(field(before.data, 'soundEnabled') ?? false);
  await api.as(u).call('PUT /users/me/settings', { body: { soundEnabled: flipped }, expect: 'success' });
  const after = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  expectEqual(field(after.data, 'soundEnabled') ?? false, flipped, 'soundEnabled after the partial update', SETTINGS);
  for (const f of [...SETTING_FLAGS.filter((x) => x !== 'soundEnabled'), 'language']) {
    expectEqual(field(after.data, f) ?? null, field(before.data, f) ?? null, `${f} (not sent) after a partial update`, SETTINGS);
  }
});

check({
  id: 'REST.U3', level: 'MUST', cites: [opCite('POST /users/me/push-token'), schemaCite('gw.UpdatePushTokenRequest')],
  title: 'POST /users/me/push-token with deviceId, pushToken and platform succeeds',
}, async ({ api, newUser }) => {
  const u = await newUser();
  // The contract's platform values, first as sent everywhere else; a refusal is recorded so other checks use ANYCHAT_PLATFORM if given.
  const [first, second] = contractEnum('platform');
  const res = await api.as(u).call('POST /users/me/push-token', { body: { deviceId: u.deviceId, pushToken: `push-${u.deviceId}`, platform: first }, why: `with the contract's platform ${JSON.stringify(first)}` });
  if (!res.ok) markEnumRefused('platform', `HTTP ${res.status}, code ${res.code ?? '?'}`);
  expectThat(res.ok, { message: `POST /users/me/push-token with the contract's platform ${JSON.stringify(first)} failed: HTTP ${res.status}, code ${res.code ?? '?'}`, expected: 'a success envelope', observed: { status: res.status, body: res.body }, cite: enumCite('platform'), replay: res.replay });
  if (second) await api.as(u).call('POST /users/me/push-token', { body: { deviceId: u.deviceId, pushToken: `push2-${u.deviceId}`, platform: second }, expect: 'success', why: `replacing the token (platform ${JSON.stringify(second)})` });
});

check({
  id: 'REST.U4', level: 'MUST', cites: [opCite('GET /users/search'), schemaCite('gw.UserSearchResult'), opCite('GET /users/{userId}')],
  title: "another user finds A by A's unique nickname, and GET /users/{A} returns A",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const found = await api.as(b).call('GET /users/search', { query: { keyword: a.nickname }, expect: 'success' });
  const uid = (x: unknown) => str(x, 'userId');
  const ids = idsOf(visibleList(found, 'GET /users/search', 'users', uid, 'userId'), uid);
  expectThat(ids.includes(a.userId), { message: `search for "${a.nickname}" does not list A`, expected: `users[] holding userId ${a.userId}`, observed: found.data ?? null, cite: schemaCite('gw.UserSearchResult'), replay: found.replay });
  const total = num(found.data, 'total');
  expectThat(total !== undefined && Number.isInteger(total) && total >= 1, { message: `search total is ${JSON.stringify(field(found.data, 'total') ?? null)}, not ≥ 1`, expected: 'total ≥ 1', observed: field(found.data, 'total') ?? null, cite: schemaCite('gw.UserSearchResult', 'properties', 'total'), replay: found.replay });
  const info = await api.as(b).call('GET /users/{userId}', { params: { userId: a.userId }, expect: 'success' });
  expectEqual(str(info.data, 'userId') ?? null, a.userId, 'userId of GET /users/{userId}', schemaCite('gw.UserSearchItem', 'properties', 'userId'));
  expectEqual(str(info.data, 'nickname') ?? null, a.nickname, 'nickname of GET /users/{userId}', schemaCite('gw.UserSearchItem', 'properties', 'nickname'));
});
