import { test } from '@playwright/test';
import { check } from '../check.js';
import { expectResponse, is } from './rpc-check.js';

check({
  id: 'GRPC.GR2', level: 'MUST', cites: ['anychat.auth.AuthService/ValidateToken', 'http/openapi.json#/paths/~1auth~1register/post'],
  title: 'AuthService.ValidateToken accepts an access token issued over REST, with the same user id',
}, async ({ grpc, newUser }) => {
  test.skip(grpc.unavailable('anychat.auth.AuthService') !== null, grpc.unavailable('anychat.auth.AuthService') ?? '');
  const u = await newUser();
  const r = await grpc.ok('anychat.auth.AuthService/ValidateToken', { access_token: u.accessToken });
  expectResponse('anychat.auth.AuthService/ValidateToken', r, [['valid', is(true), 'true'], ['user_id', is(u.userId), u.userId]]);
});
