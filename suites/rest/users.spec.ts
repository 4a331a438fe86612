import { expectEqual, expectThat } from '../../fixtures/failure.js';
import { check } from '../check.js';
import { opCite, schemaCite } from './support.js';

const PROFILE = schemaCite('gw.UserProfile');
const SETTINGS = schemaCite('gw.UserSettings');
const SETTING_FLAGS = ['notificationEnabled', 'soundEnabled', 'vibrationEnabled', 'messagePreviewEnabled', 'friendVerifyRequired', 'searchByPhone', 'searchById'] as const;

/** Same instant, whatever RFC 3339 spelling the server chose. */
const sameInstant = (a: unknown, b: string) => typeof a === 'string' && Date.parse(a) === Date.parse(b);

check({
  id: 'REST.U1', level: 'MUST', cites: [opCite('PUT /users/me'), opCite('GET /users/me'), schemaCite('gw.UpdateProfileRequest')],
  title: 'PUT /users/me returns the updated profile and a later GET agrees',
}, async ({ api, newUser }) => {
  const u = await newUser();
  await api.as(u).call('GET /users/me', { expect: 'success' });
  const update = { nickname: `${u.nickname}_n`, signature: 'conformance signature', gender: 2, region: 'Testland', birthday: '1990-05-17T00:00:00Z' };
  const put = await api.as(u).call('PUT /users/me', { body: update, expect: 'success' });
  const got = await api.as(u).call('GET /users/me', { expect: 'success' });
  for (const [where, res] of [['PUT response', put], ['later GET', got]] as const) {
    for (const f of ['nickname', 'signature', 'gender', 'region'] as const) {
      expectEqual(res.data[f], update[f], `${f} in the ${where}`, schemaCite('gw.UserProfile', 'properties', f));
    }
    expectThat(sameInstant(res.data.birthday, update.birthday), {
      message: `birthday in the ${where} is not the instant that was set`, expected: update.birthday, observed: res.data.birthday, cite: schemaCite('gw.UserProfile', 'properties', 'birthday'), replay: res.replay,
    });
    expectEqual(res.data.userId, u.userId, `userId in the ${where}`, PROFILE);
  }
});

check({
  id: 'REST.U2', level: 'MUST', cites: [opCite('PUT /users/me/settings'), opCite('GET /users/me/settings'), schemaCite('gw.UpdateSettingsRequest')],
  title: 'PUT /users/me/settings flips every flag and sets language; the response and a later GET agree',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const before = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  const update: Record<string, unknown> = { language: before.data.language === 'en-US' ? 'zh-CN' : 'en-US' };
  for (const f of SETTING_FLAGS) update[f] = !(before.data[f] ?? false);
  const put = await api.as(u).call('PUT /users/me/settings', { body: update, expect: 'success' });
  const got = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  for (const [where, res] of [['PUT response', put], ['later GET', got]] as const) {
    for (const [f, v] of Object.entries(update)) expectEqual(res.data[f], v, `${f} in the ${where}`, schemaCite('gw.UserSettings', 'properties', f));
  }
});

check({
  id: 'REST.U2-PARTIAL', level: 'SHOULD', cites: [opCite('PUT /users/me/settings'), schemaCite('gw.UpdateSettingsRequest')],
  title: 'a partial settings update changes only the fields sent',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const before = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  const flipped = !(before.data.soundEnabled ?? false);
  await api.as(u).call('PUT /users/me/settings', { body: { soundEnabled: flipped }, expect: 'success' });
  const after = await api.as(u).call('GET /users/me/settings', { expect: 'success' });
  expectEqual(after.data.soundEnabled, flipped, 'soundEnabled after the partial update', SETTINGS);
  for (const f of [...SETTING_FLAGS.filter((x) => x !== 'soundEnabled'), 'language']) {
    expectEqual(after.data[f], before.data[f], `${f} (not sent) after a partial update`, SETTINGS);
  }
});

check({
  id: 'REST.U3', level: 'MUST', cites: [opCite('POST /users/me/push-token'), schemaCite('gw.UpdatePushTokenRequest')],
  title: 'POST /users/me/push-token with deviceId, pushToken and platform succeeds',
}, async ({ api, newUser }) => {
  const u = await newUser();
  await api.as(u).call('POST /users/me/push-token', { body: { deviceId: u.deviceId, pushToken: `push-${u.deviceId}`, platform: 'ios' }, expect: 'success' });
  await api.as(u).call('POST /users/me/push-token', { body: { deviceId: u.deviceId, pushToken: `push2-${u.deviceId}`, platform: 'android' }, expect: 'success', why: 'replacing the token' });
});

check({
  id: 'REST.U4', level: 'MUST', cites: [opCite('GET /users/search'), schemaCite('gw.UserSearchResult'), opCite('GET /users/{userId}')],
  title: "another user finds A by A's unique nickname, and GET /users/{A} returns A",
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const found = await api.as(b).call('GET /users/search', { query: { keyword: a.nickname }, expect: 'success' });
  const ids = (found.data.users ?? []).map((x: any) => x?.userId);
  expectThat(ids.includes(a.userId), { message: `search for "${a.nickname}" does not list A`, expected: `users[] holding userId ${a.userId}`, observed: found.data, cite: schemaCite('gw.UserSearchResult'), replay: found.replay });
  expectThat(Number.isInteger(found.data.total) && found.data.total >= 1, { message: 'search total is not ≥ 1', expected: 'total ≥ 1', observed: found.data.total, cite: schemaCite('gw.UserSearchResult', 'properties', 'total'), replay: found.replay });
  const info = await api.as(b).call('GET /users/{userId}', { params: { userId: a.userId }, expect: 'success' });
  expectEqual(info.data.userId, a.userId, 'userId of GET /users/{userId}', schemaCite('gw.UserSearchItem', 'properties', 'userId'));
  expectEqual(info.data.nickname, a.nickname, 'nickname of GET /users/{userId}', schemaCite('gw.UserSearchItem', 'properties', 'nickname'));
});
