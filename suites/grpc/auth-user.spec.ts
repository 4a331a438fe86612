import { arrayWith, expectResponse, is, nonEmpty, positive, rpcCheck } from './rpc-check.js';
import { friends, registerUser, timestampSet, users } from './world.js';

const AUTH = 'anychat.auth.AuthService';
const USER = 'anychat.user.UserService';

rpcCheck(`${AUTH}/Register`, 'Register returns a user id, tokens and a positive expiry', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  expectResponse(`${AUTH}/Register`, u, [['user_id', nonEmpty, 'non-empty'], ['access_token', nonEmpty, 'non-empty'], ['refresh_token', nonEmpty, 'non-empty']]);
});

rpcCheck(`${AUTH}/Login`, 'Login by phone and by email returns the registered user', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  for (const account of [u.phone, u.email]) {
    const r = await grpc.ok(`${AUTH}/Login`, { account, password: u.password, device_type: target.deviceType, device_id: u.device_id, client_version: target.clientVersion });
    expectResponse(`${AUTH}/Login`, r, [['user_id', is(u.user_id), u.user_id], ['access_token', nonEmpty, 'non-empty'], ['expires_in', positive, '> 0'], ['user.user_id', is(u.user_id), u.user_id]]);
  }
});

rpcCheck(`${AUTH}/RefreshToken`, 'RefreshToken issues a new access token', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const r = await grpc.ok(`${AUTH}/RefreshToken`, { refresh_token: u.refresh_token });
  expectResponse(`${AUTH}/RefreshToken`, r, [['access_token', nonEmpty, 'non-empty'], ['expires_in', positive, '> 0']]);
  const v = await grpc.ok(`${AUTH}/ValidateToken`, { access_token: r.access_token });
  expectResponse(`${AUTH}/ValidateToken`, v, [['valid', is(true), 'true'], ['user_id', is(u.user_id), u.user_id]]);
});

rpcCheck(`${AUTH}/ValidateToken`, 'ValidateToken accepts a real access token and rejects garbage', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const good = await grpc.ok(`${AUTH}/ValidateToken`, { access_token: u.access_token });
  expectResponse(`${AUTH}/ValidateToken`, good, [['valid', is(true), 'true'], ['user_id', is(u.user_id), u.user_id], ['device_id', is(u.device_id), u.device_id]]);
  const bad = await grpc.call(`${AUTH}/ValidateToken`, { access_token: 'not-a-jwt' });
  if (bad.ok) expectResponse(`${AUTH}/ValidateToken`, bad.response, [['valid', is(false), 'false (or an error status)']]);
});

rpcCheck(`${AUTH}/ChangePassword`, 'ChangePassword: the new password logs in, the old one no longer does', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const next = `${u.password}X1`;
  await grpc.ok(`${AUTH}/ChangePassword`, { user_id: u.user_id, old_password: u.password, new_password: next });
  const login = (password: string) => grpc.call(`${AUTH}/Login`, { account: u.email, password, device_type: target.deviceType, device_id: u.device_id, client_version: target.clientVersion });
  expectResponse(`${AUTH}/ChangePassword`, { newOk: (await login(next)).ok, oldOk: (await login(u.password)).ok }, [['newOk', is(true), 'login with the new password succeeds'], ['oldOk', is(false), 'login with the old password fails']]);
});

rpcCheck(`${AUTH}/Logout`, 'Logout revokes the refresh token of that device', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  await grpc.ok(`${AUTH}/Logout`, { user_id: u.user_id, device_id: u.device_id });
  const r = await grpc.call(`${AUTH}/RefreshToken`, { refresh_token: u.refresh_token });
  expectResponse(`${AUTH}/Logout`, { refreshAfterLogout: r.ok ? 'accepted' : 'rejected' }, [['refreshAfterLogout', is('rejected'), 'rejected']]);
});

rpcCheck(`${USER}/GetProfile`, 'GetProfile returns the registered profile with created_at set', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const p = await grpc.ok(`${USER}/GetProfile`, { user_id: u.user_id });
  expectResponse(`${USER}/GetProfile`, p, [['user_id', is(u.user_id), u.user_id], ['nickname', is(u.nickname), u.nickname], ['created_at', timestampSet, 'a set Timestamp']]);
});

rpcCheck(`${USER}/UpdateProfile`, 'UpdateProfile changes the profile and a later GetProfile agrees', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const r = await grpc.ok(`${USER}/UpdateProfile`, { user_id: u.user_id, nickname: `${u.nickname}-2`, signature: 'sig', gender: 2, region: 'Mars' });
  expectResponse(`${USER}/UpdateProfile`, r, [['nickname', is(`${u.nickname}-2`), `${u.nickname}-2`], ['gender', is(2), '2']]);
  const p = await grpc.ok(`${USER}/GetProfile`, { user_id: u.user_id });
  expectResponse(`${USER}/GetProfile`, p, [['nickname', is(`${u.nickname}-2`), `${u.nickname}-2`], ['signature', is('sig'), 'sig'], ['region', is('Mars'), 'Mars']]);
});

rpcCheck(`${USER}/GetUserInfo`, 'GetUserInfo returns the target with is_friend reflecting the friendship', async ({ grpc, target }) => {
  const [a, b] = await users(grpc, target, 2);
  await friends(grpc, a!, b!);
  const r = await grpc.ok(`${USER}/GetUserInfo`, { user_id: a!.user_id, target_user_id: b!.user_id });
  expectResponse(`${USER}/GetUserInfo`, r, [['user_id', is(b!.user_id), b!.user_id], ['nickname', is(b!.nickname), b!.nickname], ['is_friend', is(true), 'true']]);
});

rpcCheck(`${USER}/SearchUsers`, 'SearchUsers finds a user by its unique nickname', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const r = await grpc.ok(`${USER}/SearchUsers`, { keyword: u.nickname, page: 1, page_size: 20 });
  expectResponse(`${USER}/SearchUsers`, r, [['total', positive, '>= 1'], ['users', arrayWith((x) => x.user_id === u.user_id), `contains ${u.user_id}`]]);
});

rpcCheck(`${USER}/GetSettings`, 'GetSettings returns the settings of that user', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const r = await grpc.ok(`${USER}/GetSettings`, { user_id: u.user_id });
  expectResponse(`${USER}/GetSettings`, r, [['user_id', is(u.user_id), u.user_id]]);
});

rpcCheck(`${USER}/UpdateSettings`, 'UpdateSettings persists every field', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const before = await grpc.ok(`${USER}/GetSettings`, { user_id: u.user_id });
  const want = { notification_enabled: !before.notification_enabled, sound_enabled: !before.sound_enabled, vibration_enabled: !before.vibration_enabled, message_preview_enabled: !before.message_preview_enabled, friend_verify_required: !before.friend_verify_required, search_by_phone: !before.search_by_phone, search_by_id: !before.search_by_id, language: 'en-US' };
  await grpc.ok(`${USER}/UpdateSettings`, { user_id: u.user_id, ...want });
  const after = await grpc.ok(`${USER}/GetSettings`, { user_id: u.user_id });
  expectResponse(`${USER}/UpdateSettings`, after, Object.entries(want).map(([k, v]) => [k, is(v), String(v)]));
});

rpcCheck(`${USER}/RefreshQRCode`, 'RefreshQRCode returns a code that GetUserByQRCode resolves to the user', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const q = await grpc.ok(`${USER}/RefreshQRCode`, { user_id: u.user_id });
  expectResponse(`${USER}/RefreshQRCode`, q, [['qrcode_url', nonEmpty, 'non-empty'], ['expires_at', timestampSet, 'a set Timestamp']]);
});

rpcCheck(`${USER}/GetUserByQRCode`, 'GetUserByQRCode resolves a freshly issued code', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  const q = await grpc.ok(`${USER}/RefreshQRCode`, { user_id: u.user_id });
  const r = await grpc.ok(`${USER}/GetUserByQRCode`, { qrcode: q.qrcode_url });
  expectResponse(`${USER}/GetUserByQRCode`, r, [['user_id', is(u.user_id), u.user_id]]);
});

rpcCheck(`${USER}/UpdatePushToken`, 'UpdatePushToken accepts a device token', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  await grpc.ok(`${USER}/UpdatePushToken`, { user_id: u.user_id, device_id: u.device_id, push_token: `tok-${u.device_id}`, platform: 'ios' });
  const push = await grpc.ok('anychat.push.PushService/SendPush', { user_ids: [u.user_id], title: 't', content: 'c', push_type: 'message', extras: {} });
  expectResponse(`${USER}/UpdatePushToken`, push, [['success_count', (v) => v >= 1, '>= 1 (the registered token is used by PushService.SendPush)']]);
});

rpcCheck(`${USER}/InitUserData`, 'InitUserData on an already registered user keeps its profile readable (beyond the contract: an internal rpc whose repeat the contract does not describe)', async ({ grpc, target }) => {
  const u = await registerUser(grpc, target);
  await grpc.ok(`${USER}/InitUserData`, { user_id: u.user_id, nickname: u.nickname });
  const p = await grpc.ok(`${USER}/GetProfile`, { user_id: u.user_id });
  expectResponse(`${USER}/InitUserData`, p, [['user_id', is(u.user_id), u.user_id]]);
}, 'MAY');
