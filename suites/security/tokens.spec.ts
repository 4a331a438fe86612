import type { TestUser } from '../../fixtures/rest-client.js';
import { check, test, type CheckArgs } from '../check.js';
import { expectAuthRejection, opCite, sampleRequest, securedOps, sweep } from '../rest/support.js';
import { algNone, badSignature, expiredWith, secondsLeft } from './forge.js';
import { adminScope, protectedScope, reportUnserved, routeNotServed } from './scope.js';

/**
 * SEC.1–SEC.7: every operation that declares BearerAuth rejects a request that is not properly authenticated.
 * Scope (suites/security/scope.ts): the non-admin operations always; the admin ones only when admin is configured and
 * reachable (their variants are then built from a real admin token); only routes the target serves. Rejection = a
 * failure envelope with HTTP 401/403 (or HTTP 200 with a non-zero code in lenient mode); 401 is tolerated where an op
 * declares only 200 (the admin ops), with a warning.
 */

const ALL = securedOps();
const BEARER = 'http/openapi.json#/components/securitySchemes/BearerAuth';

type Args = Pick<CheckArgs, 'api' | 'target' | 'recorder'>;

interface Tokens {
  user: TestUser;
  /** The operations in scope of this check. */
  ops: string[];
  /** Real access token of the right kind for an op: the admin token for admin ops (in scope only with one). */
  tokenFor(key: string): string;
}

const isAdminOp = (key: string) => key.startsWith('/admin', key.indexOf(' ') + 1);

async function tokens(args: Args & Pick<CheckArgs, 'newUser'>): Promise<Tokens> {
  const scope = await protectedScope(args);
  const user = await args.newUser();
  return { user, ops: scope.ops, tokenFor: (key) => (isAdminOp(key) && scope.adminToken ? scope.adminToken : user.accessToken) };
}

/** Sweep the secured ops in scope with `authorization(key)` and require a rejection of each (unserved routes not judged). */
async function rejectAll(args: Args, what: string, authorization: (key: string) => string | null, ops: string[]): Promise<void> {
  const { api, target } = args;
  const unserved: string[] = [];
  try {
    await sweep(ops, (k) => k, async (key) => {
      const auth = authorization(key);
      const res = await api.as(auth === null ? null : `Bearer ${auth}`).call(key, { ...sampleRequest(key, target.seed), allowStatus: [401, 403, 404] });
      if (routeNotServed(res)) { unserved.push(key); return; }
      expectAuthRejection(res, key, target, what, `${opCite(key, 'security')} (${BEARER})`);
    });
  } finally {
    reportUnserved(args, unserved, ops.length);
  }
}

check({
  id: 'SEC.1', level: 'MUST', cites: [BEARER, opCite('GET /users/me', 'security')],
  title: `each of the ${ALL.length} protected operations in scope rejects a request without Authorization`,
}, async ({ api, target, recorder }) => {
  const { ops } = await protectedScope({ api, target, recorder });
  await rejectAll({ api, target, recorder }, 'no Authorization header', () => null, ops);
});

check({
  id: 'SEC.2', level: 'MUST', cites: BEARER,
  title: 'each protected operation rejects a bearer value that is not a JWT',
}, async ({ api, target, recorder }) => {
  const { ops } = await protectedScope({ api, target, recorder });
  await rejectAll({ api, target, recorder }, 'a bearer value that is not a JWT', () => 'not.a-jwt', ops);
});

check({
  id: 'SEC.3', level: 'MUST', cites: BEARER,
  title: 'each protected operation rejects a real token re-signed with another key',
}, async ({ api, target, recorder, newUser }) => {
  const t = await tokens({ api, target, recorder, newUser });
  await rejectAll({ api, target, recorder }, 'a token with a bad signature', (k) => badSignature(t.tokenFor(k)), t.ops);
});

check({
  id: 'SEC.4', level: 'MUST', cites: BEARER,
  title: 'each protected operation rejects an expired token',
}, async ({ api, target, recorder, newUser }) => {
  const secret = process.env.ANYCHAT_JWT_SECRET;
  const t = await tokens({ api, target, recorder, newUser });
  let expired: (k: string) => string;
  if (secret) {
    expired = (k) => expiredWith(t.tokenFor(k), secret) ?? 'unparseable-token';
  } else {
    const left = secondsLeft(t.user.accessToken);
    test.skip(left === null || left > 20, `an expired, validly signed token needs the deployment's HS256 key (ANYCHAT_JWT_SECRET) or an access-token lifetime under 20 s (this one has ${left ?? 'no'} s)`);
    await new Promise((r) => setTimeout(r, (left! + 1.5) * 1000));
    expired = () => t.user.accessToken;
    recorder.warn('SEC.4 used a user token that expired naturally; admin ops were checked with it too');
  }
  await rejectAll({ api, target, recorder }, 'an expired token', expired, t.ops);
});

check({
  id: 'SEC.5', level: 'MUST', cites: BEARER,
  title: 'each protected operation rejects an unsigned token with alg "none"',
}, async ({ api, target, recorder, newUser }) => {
  const t = await tokens({ api, target, recorder, newUser });
  await rejectAll({ api, target, recorder }, 'an alg "none" token', (k) => algNone(t.tokenFor(k)), t.ops);
});

check({
  id: 'SEC.6', level: 'MUST', cites: [BEARER, opCite('POST /auth/refresh')],
  title: 'each protected operation rejects a refresh token used as an access token',
}, async ({ api, target, recorder, newUser }) => {
  const { ops } = await protectedScope({ api, target, recorder });
  const u = await newUser();
  await rejectAll({ api, target, recorder }, 'a refresh token', () => u.refreshToken, ops);
});

check({
  id: 'SEC.7', level: 'SHOULD', cites: [opCite('POST /auth/logout'), opCite('POST /admin/auth/logout')],
  title: "after logout, each protected operation rejects that session's access token",
}, async ({ api, target, recorder, newUser }) => {
  const u = await newUser();
  await api.as(u).call('POST /auth/logout', { body: { deviceId: u.deviceId }, expect: 'success' });
  await rejectAll({ api, target, recorder }, 'an access token whose device logged out', () => u.accessToken, securedOps(false));
  const admin = await adminScope({ api, target, recorder });
  if (!('token' in admin)) {
    recorder.warn(`admin logout not checked: ${admin.reason}${admin.owner ? ` — see ${admin.owner}` : ''}`);
    return;
  }
  await api.as(admin.token).call('POST /admin/auth/logout', { expect: 'success' });
  await rejectAll({ api, target, recorder }, 'an admin token after admin logout', () => admin.token, securedOps(true));
});
