import { ENVELOPE_CITE } from '../../contracts/index.js';
import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestResponse } from '../../fixtures/rest-client.js';
import { RANGE_SOURCE, typedTimeIssues, type Violation } from '../../fixtures/rest-validate.js';
import type { RestApi, TestUser } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import { field, list, num, str } from '../../fixtures/read.js';
import { nicknameKeyword } from '../../fixtures/users.js';
import { arbitraries, block, catalogue, dummyParams, expectStrictStatus, makeGroup, members, opCite, prereq, P, sampleRequest, schemaCite, sweep, sweepFailure, unknownId } from './support.js';
import { putBytes, sharedTour, type TourResult } from './tour.js';
import { orBlock, World, type ValidRequest } from './world.js';

/** The generic REST rules of contract-notes §6.1, each swept over every operation it applies to. */

const HTTP_OPS = catalogue.operations.filter((o) => o.dataKind !== 'none');
const TYPED_OPS = HTTP_OPS.filter((o) => o.dataKind === 'typed').map((o) => o.key);
const OBJECT_OPS = HTTP_OPS.filter((o) => o.dataKind === 'object').map((o) => o.key);

function violationReport(rule: string, all: Violation[]): void {
  const seen = new Set<string>();
  const violations = all.filter((v) => !seen.has(v.message) && !!seen.add(v.message));
  if (violations.length === 0) return;
  const [first] = violations;
  const head = `${violations.length} ${rule} violation(s): ${first!.message.split('\n')[0]}${violations.length > 1 ? ` (+${violations.length - 1} more)` : ''}`;
  fail({ ...first!, message: `${head}\n${violations.slice(0, 25).map((v) => `  - ${v.message.split('\n')[0]}`).join('\n')}` });
}

/** Lenient-only deviations (warnOnly): one warning per distinct deviation, by the check that owns them. */
function warnDistinct(recorder: { warn(m: string): void }, all: Violation[]): void {
  for (const m of new Set(all.map((v) => `${v.message.split('\n')[0]} (contract: ${v.cite ?? '?'})`))) recorder.warn(m);
}

/** The tour, or blocked when its users could not be registered (REST.A1 owns that). */
async function tourFor(args: { api: any; target: any; recorder: any; ws: any }, testInfo: { workerIndex: number; title: string }): Promise<TourResult> {
  const tour = await sharedTour({ api: args.api, target: args.target, worker: testInfo.workerIndex, ws: args.ws, recorder: args.recorder }, testInfo.title);
  if (tour.blocked) block(tour.blocked.reason, tour.blocked.owner);
  return tour;
}

function noteGaps(recorder: { warn(m: string): void }, tour: TourResult, ops: string[]): void {
  for (const k of ops) {
    if (tour.succeeded.has(k)) continue;
    const why = tour.notRun.get(k) ?? tour.stepFailures.get(k) ?? 'not reached';
    recorder.warn(`${k} not validated by the tour: ${why.split('\n')[0]}`);
  }
}

/**
 * Sweep `items` over requests built in `world`: items whose valid request cannot be built (a prerequisite another
 * check owns is broken) are not judged, and say so; when none could be judged, the check is blocked.
 */
async function worldSweep<T extends { key: string }>(world: World, recorder: { warn(m: string): void }, items: readonly T[], name: (item: T) => string, fn: (item: T, req: ValidRequest) => Promise<void>): Promise<void> {
  let judged = 0;
  try {
    await sweep(items, name, async (item) => {
      const req = await world.request(item.key);
      if (!req) return;
      judged++;
      await fn(item, req);
    }, 3);
  } finally {
    for (const [k, u] of world.unavailable) recorder.warn(`${k}: not judged (${u.reason} — see ${u.owner})`);
  }
  if (judged === 0) {
    const first = world.firstUnavailable();
    block(first ? `no valid request could be built: ${first.reason}` : 'no valid request could be built', first?.owner ?? 'REST.HG2');
  }
}

check({
  id: 'REST.HG1', level: 'MUST', cites: [ENVELOPE_CITE, 'README convention: {code, message, data}'],
  title: 'every response of every operation is a JSON envelope with an integer code and a string message',
}, async ({ api, target, recorder, ws, newUser }, testInfo) => {
  const tour = await tourFor({ api, target, recorder, ws }, testInfo);
  // Error paths too: every operation once anonymously and once with a token, dummy ids and an empty body.
  const errors = await errorSweep(api, newUser);
  violationReport('REST.HG1', [...tour.violations, ...errors].filter((v) => v.rule === 'HG1'));
});

let sharedErrors: Promise<Violation[]> | undefined;

/** Every operation once anonymously and once with a token, dummy ids and an empty body (once per worker). */
function errorSweep(api: RestApi, newUser: () => Promise<TestUser>): Promise<Violation[]> {
  if (!sharedErrors) {
    sharedErrors = (async () => {
      const errors: Violation[] = [];
      const collecting = api.collecting(errors);
      const u = await newUser();
      await sweep(HTTP_OPS, (o) => o.key, async (o) => {
        const opts = { params: dummyParams(o.key), ...(o.requestBody ? { body: {} } : {}), ...(o.params.some((p) => p.in === 'query' && p.required) ? { query: { keyword: 'x' } } : {}) };
        await collecting.as(null).call(o.key, opts);
        if (o.key !== 'POST /auth/logout' && o.key !== 'POST /auth/password/change') await collecting.as(u).call(o.key, opts);
      });
      return errors;
    })();
    sharedErrors.catch(() => (sharedErrors = undefined));
  }
  return sharedErrors;
}

check({
  id: 'REST.CODES', level: 'SHOULD', cites: [RANGE_SOURCE],
  title: 'error codes fall in the README ranges of their area (auth 10xxx … message 50xxx): a warning in lenient, judged in strict',
}, async ({ api, target, recorder, ws, newUser }, testInfo) => {
  const tour = await tourFor({ api, target, recorder, ws }, testInfo);
  const errors = await errorSweep(api, newUser);
  const range = [...tour.violations, ...errors].filter((v) => v.rule === 'RANGE');
  recorder.warn('the pinned bundle states no error-code ranges (Response.code is a bare integer); the ranges judged here are the AnyChat README\'s (contract-notes I7)');
  if (!target.strict) return warnDistinct(recorder, range);
  violationReport('REST.CODES', range);
});

check({
  id: 'REST.HG2', level: 'MUST', cites: [opCite('POST /groups', 'responses', '200'), 'README convention: code 0 = success'],
  title: 'every operation succeeds on a valid request with HTTP 200 and code 0',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const tour = await tourFor({ api, target, recorder, ws }, testInfo);
  noteGaps(recorder, tour, HTTP_OPS.map((o) => o.key).filter((k) => !tour.stepFailures.has(k)));
  const failures = [...tour.stepFailures].map(([op, msg]) => `${op}: ${msg.split('\n')[0]}`);
  const hg2 = tour.violations.filter((v) => v.rule === 'HG2');
  if (failures.length > 0 && hg2.length === 0) {
    fail({ message: `${failures.length} operation(s) did not succeed on a valid request: ${[...tour.stepFailures.keys()].slice(0, 10).join('; ')}${failures.length > 10 ? '; …' : ''}\n${failures.map((f) => `  - ${f}`).join('\n')}`, expected: 'a success envelope (HTTP 200, code 0) for each', observed: failures, cite: opCite('POST /groups', 'responses', '200') });
  }
  violationReport('REST.HG2', hg2);
});

check({
  id: 'REST.HG3', level: 'MUST', cites: TYPED_OPS.map((k) => opCite(k, 'responses', '200', 'content', 'application/json', 'schema')),
  title: `the ${TYPED_OPS.length} typed operations return data matching their schema`,
}, async ({ api, target, recorder, ws }, testInfo) => {
  const tour = await tourFor({ api, target, recorder, ws }, testInfo);
  noteGaps(recorder, tour, TYPED_OPS);
  if (!TYPED_OPS.some((k) => tour.succeeded.has(k))) block('no typed operation succeeded on a valid request, so no typed data could be judged', 'REST.HG2');
  violationReport('REST.HG3', tour.violations.filter((v) => v.rule === 'HG3'));
});

check({
  id: 'REST.HG4', level: 'MUST', cites: OBJECT_OPS.map((k) => opCite(k, 'responses', '200', 'content', 'application/json', 'schema')),
  title: `the ${OBJECT_OPS.length} data:{type:object} operations return an object in the proto-derived lowerCamelCase shape`,
}, async ({ api, target, recorder, ws }, testInfo) => {
  const tour = await tourFor({ api, target, recorder, ws }, testInfo);
  noteGaps(recorder, tour, OBJECT_OPS);
  if (!OBJECT_OPS.some((k) => tour.succeeded.has(k))) block('no untyped-data operation succeeded on a valid request, so no untyped data could be judged', 'REST.HG2');
  const hg4 = tour.violations.filter((v) => v.rule === 'HG4');
  // Lenient: snake_case keys and omitted empty lists are proto3 JSON dialects (contract-notes I2): one warning each.
  warnDistinct(recorder, hg4.filter((v) => v.warnOnly));
  violationReport('REST.HG4', hg4.filter((v) => !v.warnOnly));
});

const NON_ADMIN_SECURED = catalogue.operations.filter((o) => o.secured && o.area !== 'admin').map((o) => o.key);

check({
  id: 'REST.HG5', level: 'MUST', cites: [opCite('GET /users/me', 'security'), opCite('GET /users/me', 'responses', '401')],
  title: `each of the ${NON_ADMIN_SECURED.length} secured non-admin operations without Authorization fails (401)`,
}, async ({ api, target }) => {
  await sweep(NON_ADMIN_SECURED, (k) => k, async (key) => {
    const res = await api.as(null).call(key, { ...sampleRequest(key, target.seed), expect: 'failure', why: 'without an Authorization header', cite: opCite(key, 'security') });
    expectStrictStatus(target, res, key, 401, 'without Authorization');
  });
});

check({
  id: 'REST.HG6', level: 'MUST', cites: ['http/openapi.json#/components/securitySchemes/BearerAuth', opCite('GET /users/me', 'responses', '401')],
  title: 'each secured non-admin operation with "Authorization: Bearer not-a-jwt" fails',
}, async ({ api, target }) => {
  await sweep(NON_ADMIN_SECURED, (k) => k, async (key) => {
    const res = await api.as('Bearer not-a-jwt').call(key, { ...sampleRequest(key, target.seed), expect: 'failure', why: 'with a token that is not a JWT', cite: opCite(key, 'security') });
    expectStrictStatus(target, res, key, 401, 'with a garbage token');
  });
});

check({
  id: 'REST.HG7', level: 'MAY', cites: 'http/openapi.json#/components/securitySchemes/BearerAuth',
  title: 'a bare token without "Bearer " is either accepted or cleanly rejected (401); which one is reported (beyond the contract)',
}, async ({ api, recorder, newUser }) => {
  const u = await newUser();
  const res = await api.as(null).call('GET /users/me', { headers: { Authorization: u.accessToken } });
  if (res.ok) recorder.warn('GET /users/me accepts a bare token without the "Bearer " prefix');
  else {
    expectThat(res.status === 401 || res.status === 200, { message: `a bare token was rejected with HTTP ${res.status}`, expected: 'success, or a 401 failure envelope', observed: { status: res.status, body: res.body }, cite: opCite('GET /users/me', 'responses', '401'), replay: res.replay });
    recorder.warn('GET /users/me rejects a bare token without the "Bearer " prefix');
  }
});

/** Operations with a typed request body that lists required fields (the admin ones need admin credentials). */
const REQUIRED_FIELDS = catalogue.operations.flatMap((o) => {
  const schema = arbitraries.bodySchema(o.key);
  return ((schema?.required ?? []) as string[]).map((field) => ({ key: o.key, field, cite: o.requestBody?.schemaName ? schemaCite(o.requestBody.schemaName, 'required') : opCite(o.key, 'requestBody') }));
});

check({
  id: 'REST.HG8', level: 'MUST', cites: [...new Set(REQUIRED_FIELDS.map((r) => r.cite))],
  title: `omitting each of the ${REQUIRED_FIELDS.length} required request fields fails (400)`,
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  await worldSweep(world, recorder, REQUIRED_FIELDS, (r) => `${r.key} without ${r.field}`, async ({ key, field, cite }, req) => {
    const { [field]: _, ...body } = (req.base.body ?? {}) as Record<string, unknown>;
    const res = await api.as(req.as).call(key, { ...req.base, body, expect: 'failure', why: `without the required field '${field}'`, cite, allowStatus: key.includes('/admin/') ? [400] : undefined });
    expectStrictStatus(target, res, key, 400, `without '${field}'`);
  });
});

/** Values outside each request enum; contract-notes §6.1 picks ones that look plausible (e.g. role "owner"). */
const ENUM_CASES = catalogue.operations.flatMap((o) => {
  const props = (arbitraries.bodySchema(o.key)?.properties ?? {}) as Record<string, any>;
  return Object.entries(props).filter(([, p]) => Array.isArray(p.enum)).map(([field, p]) => {
    const wrong = ({ deviceType: 'blackberry', platform: 'web', gender: 5, role: 'owner' } as Record<string, unknown>)[field] ?? (typeof p.enum[0] === 'number' ? 99 : 'not-listed');
    return { key: o.key, field, wrong, cite: schemaCite(o.requestBody!.schemaName!, 'properties', field, 'enum') };
  });
});

check({
  id: 'REST.HG9', level: 'MUST', cites: ENUM_CASES.map((c) => c.cite),
  title: 'a value outside a request enum fails (400): deviceType, platform, gender, role',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  await worldSweep(world, recorder, ENUM_CASES, (c) => `${c.key} ${c.field}=${JSON.stringify(c.wrong)}`, async ({ key, field, wrong, cite }, req) => {
    const res = await api.as(req.as).call(key, { ...req.base, body: { ...(req.base.body as object), [field]: wrong }, expect: 'failure', why: `with ${field}=${JSON.stringify(wrong)}`, cite });
    expectStrictStatus(target, res, key, 400, `with ${field}=${JSON.stringify(wrong)}`);
  });
});

const LENGTH_CASES = catalogue.operations.flatMap((o) => {
  const props = (arbitraries.bodySchema(o.key)?.properties ?? {}) as Record<string, any>;
  return Object.entries(props).flatMap(([field, p]) => [
    ...(typeof p.maxLength === 'number' ? [{ key: o.key, field, value: 'x'.repeat(p.maxLength + 1), what: `${p.maxLength + 1} chars (maxLength ${p.maxLength})`, cite: schemaCite(o.requestBody!.schemaName!, 'properties', field, 'maxLength') }] : []),
    ...(typeof p.minLength === 'number' && p.minLength > 0 ? [{ key: o.key, field, value: 'x'.repeat(p.minLength - 1), what: `${p.minLength - 1} chars (minLength ${p.minLength})`, cite: schemaCite(o.requestBody!.schemaName!, 'properties', field, 'minLength') }] : []),
  ]);
});

check({
  id: 'REST.HG10', level: 'MUST', cites: LENGTH_CASES.map((c) => c.cite),
  title: 'strings outside their declared length limits fail (400): group name, announcement, member nickname, join message',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  await worldSweep(world, recorder, LENGTH_CASES, (c) => `${c.key} ${c.field} ${c.what}`, async ({ key, field, value, what, cite }, req) => {
    const res = await api.as(req.as).call(key, { ...req.base, body: { ...(req.base.body as object), [field]: value }, expect: 'failure', why: `with ${field} of ${what}`, cite });
    expectStrictStatus(target, res, key, 400, `with ${field} of ${what}`);
  });
});

check({
  id: 'REST.HG11', level: 'MUST', cites: opCite('GET /users/search', 'parameters', '0', 'required'),
  title: 'GET /users/search without the required keyword fails (400)',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  const res = await api.as(u).call('GET /users/search', { expect: 'failure', why: 'without keyword', cite: opCite('GET /users/search', 'parameters', '0') });
  expectStrictStatus(target, res, 'GET /users/search', 400, 'without keyword');
});

check({
  id: 'REST.HG12', level: 'SHOULD', cites: [opCite('PUT /friends/requests/{id}', 'parameters', '0', 'schema'), opCite('PUT /groups/{id}/requests/{requestId}', 'parameters', '1', 'schema')],
  title: 'a non-integer id where the path declares an integer fails (400)',
}, async ({ api, target, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const a = await orBlock(world.user('a'));
  const g = await orBlock(world.group());
  await api.as(a).call('PUT /friends/requests/{id}', { params: { id: 'abc' }, body: { action: 'accept' }, expect: 'failure', why: 'with id "abc"', allowStatus: [404] });
  await api.as(a).call('PUT /groups/{id}/requests/{requestId}', { params: { id: g, requestId: 'abc' }, body: { accept: true }, expect: 'failure', why: 'with requestId "abc"', allowStatus: [404] });
});

const NOT_FOUND_OPS = ['GET /users/{userId}', 'GET /groups/{id}', 'GET /groups/{id}/members', 'GET /sessions/{sessionId}', 'GET /files/{fileId}', 'GET /rtc/calls/{callId}', 'GET /rtc/meetings/{roomId}'];

check({
  id: 'REST.HG13', level: 'MUST', cites: NOT_FOUND_OPS.map((k) => opCite(k, 'responses', '404')),
  title: 'unknown ids fail (declared 404) on the 7 read operations',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  await sweep(NOT_FOUND_OPS, (k) => k, async (key) => {
    const res = await api.as(u).call(key, { params: dummyParams(key), expect: 'failure', why: 'for an id that does not exist', cite: opCite(key, 'responses', '404') });
    expectStrictStatus(target, res, key, 404, 'for an unknown id');
  });
});

check({
  id: 'REST.HG14', level: 'SHOULD', cites: [opCite('GET /users/search', 'parameters', '2', 'schema', 'default'), opCite('GET /groups/{id}/members', 'parameters', '2', 'schema', 'default'), opCite('GET /files', 'parameters', '2', 'schema', 'default')],
  title: 'list defaults: 20 items per page when pageSize is absent; pageSize is honoured (search, members, files)',
}, async ({ api, target, recorder, newUser }) => {
  const prefix = `pg${unknownId('').slice(1, 5)}`;
  const users = [];
  for (let i = 0; i < 21; i += 7) users.push(...(await Promise.all(Array.from({ length: Math.min(7, 21 - i) }, () => newUser({ nickname: prefix })))));
  const [owner, ...rest] = users;
  const keyword = nicknameKeyword(target, prefix);
  const atMost = (res: RestResponse, list: unknown, n: number, what: string, cite: string) =>
    expectThat(Array.isArray(list) && list.length <= n, { message: `${what}: ${Array.isArray(list) ? list.length : 'no'} items, more than ${n}`, expected: `at most ${n} items`, observed: Array.isArray(list) ? list.length : list, cite, replay: res.replay });

  const all = await api.as(owner!).call('GET /users/search', { query: { keyword, pageSize: 50 }, expect: 'success' });
  expectThat((list(all.data, 'users') ?? []).length >= 21 || (num(all.data, 'total') ?? 0) >= 21, { message: `search for "${keyword}" finds fewer than the 21 users registered with it`, expected: 'total ≥ 21', observed: { total: field(all.data, 'total') ?? null, items: (list(all.data, 'users') ?? []).length }, cite: opCite('GET /users/search'), replay: all.replay });
  const dflt = await api.as(owner!).call('GET /users/search', { query: { keyword }, expect: 'success' });
  atMost(dflt, list(dflt.data, 'users'), 20, 'GET /users/search without pageSize', opCite('GET /users/search', 'parameters', '2', 'schema', 'default'));
  const five = await api.as(owner!).call('GET /users/search', { query: { keyword, pageSize: 5 }, expect: 'success' });
  atMost(five, list(five.data, 'users'), 5, 'GET /users/search?pageSize=5', opCite('GET /users/search', 'parameters', '2'));

  const g = await makeGroup(api, owner!, rest);
  const m = await api.as(owner!).call('GET /groups/{id}/members', { params: { id: g.groupId }, expect: 'success' });
  atMost(m, list(m.data, 'members'), 20, `GET /groups/{id}/members (22 members) without pageSize`, opCite('GET /groups/{id}/members', 'parameters', '2', 'schema', 'default'));
  if (field(m.data, 'page') !== undefined) expectEqual(num(m.data, 'page') ?? null, 1, 'members page without page', opCite('GET /groups/{id}/members', 'parameters', '1', 'schema', 'default'));
  const m2 = await members(api.as(owner!), g.groupId, { pageSize: 3 });
  atMost(m2.res, m2.list, 3, 'GET /groups/{id}/members?pageSize=3', opCite('GET /groups/{id}/members', 'parameters', '2'));

  if (!target.filesUpload) {
    recorder.warn('GET /files default page size not checked: files upload is off (pending files need not be listed)');
    return;
  }
  const bytes = Buffer.from('x');
  for (let i = 0; i < 21; i += 7) {
    await Promise.all(Array.from({ length: Math.min(7, 21 - i) }, async (_, j) => {
      const t = await api.as(owner!).call('POST /files/upload-token', { body: { fileName: `p${i + j}.txt`, fileSize: 1, mimeType: 'text/plain', fileType: 'file' }, expect: 'success' });
      await putBytes(str(t.data, 'uploadUrl') ?? '', bytes, 'text/plain', target.timeoutMs, recorder);
      await api.as(owner!).call('POST /files/{fileId}/complete', { params: { fileId: str(t.data, 'fileId') ?? '' }, expect: 'success' });
    }));
  }
  const f = await api.as(owner!).call('GET /files', { expect: 'success' });
  atMost(f, list(f.data, 'files'), 20, 'GET /files (21 files) without pageSize', opCite('GET /files', 'parameters', '2', 'schema', 'default'));
  expectThat((list(f.data, 'files') ?? []).length > 0, { message: 'GET /files lists none of the 21 completed files', expected: '20 items', observed: f.data, cite: opCite('GET /files'), replay: f.replay });
});

check({
  id: 'REST.HG15', level: 'MAY', cites: [opCite('POST /groups', 'requestBody', 'content'), opCite('PUT /users/me', 'requestBody', 'content')],
  title: 'a request body sent as text/plain is rejected (400): bodies are application/json only',
}, async ({ api, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  await api.as(a).call('POST /groups', { rawBody: JSON.stringify({ name: 'plain', memberIds: [b.userId] }), contentType: 'text/plain', expect: 'failure', why: 'with Content-Type text/plain', cite: opCite('POST /groups', 'requestBody', 'content') });
  await api.as(a).call('PUT /users/me', { rawBody: JSON.stringify({ signature: 'plain' }), contentType: 'text/plain', expect: 'failure', why: 'with Content-Type text/plain', cite: opCite('PUT /users/me', 'requestBody', 'content') });
});

check({
  id: 'REST.HG16', level: 'SHOULD', cites: [schemaCite('gw.UserProfile', 'properties', 'createdAt'), schemaCite('grp.GroupResponse', 'properties', 'createdAt'), schemaCite('grp.GroupMemberResponse', 'properties', 'joinedAt'), schemaCite('grp.JoinRequestResponse', 'properties', 'createdAt')],
  title: 'typed time fields (createdAt, updatedAt, joinedAt, birthday) are RFC 3339 date-times',
}, async ({ api, contracts, newUser }) => {
  const [a, b, d] = await Promise.all([newUser(), newUser(), newUser()]);
  await api.as(a).call('PUT /users/me', { body: { birthday: '1988-08-08T00:00:00Z' }, expect: 'success' });
  const g = await makeGroup(api, a, [b], { joinVerify: true });
  await api.as(d).call('POST /groups/{id}/join', { params: { id: g.groupId }, body: { message: 'time' }, expect: 'success' });
  const responses: [string, RestResponse][] = [
    ['GET /users/me', await api.as(a).call('GET /users/me', { expect: 'success' })],
    ['GET /groups/{id}', await api.as(a).call('GET /groups/{id}', { params: { id: g.groupId }, expect: 'success' })],
    ['GET /groups', await api.as(a).call('GET /groups', { expect: 'success' })],
    ['GET /groups/{id}/members', await api.as(a).call('GET /groups/{id}/members', { params: { id: g.groupId }, expect: 'success' })],
    ['GET /groups/{id}/requests', await api.as(a).call('GET /groups/{id}/requests', { params: { id: g.groupId }, expect: 'success' })],
  ];
  const issues = responses.flatMap(([key, res]) => typedTimeIssues(contracts, catalogue.operationsByKey.get(key)!, res.data).map((i) => ({ ...i, replay: res.replay })));
  if (issues.length > 0) fail({ ...issues[0]!, message: `${issues.length} typed time field(s) not RFC 3339: ${issues[0]!.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}\n${issues.map((i) => `  - ${i.message}`).join('\n')}` });
  // The fields judged must be there (under any spelling): a format check on a missing field proves nothing.
  const memberList = list(responses[3]![1].data, 'members') ?? [];
  const requestList = list(responses[4]![1].data, 'requests') ?? [];
  const judged: [string, RestResponse, unknown, string][] = [
    ['GET /users/me createdAt', responses[0]![1], field(responses[0]![1].data, 'createdAt'), schemaCite('gw.UserProfile', 'properties', 'createdAt')],
    ['GET /users/me birthday', responses[0]![1], field(responses[0]![1].data, 'birthday'), schemaCite('gw.UserProfile', 'properties', 'birthday')],
    ['GET /groups/{id} createdAt', responses[1]![1], field(responses[1]![1].data, 'createdAt'), schemaCite('grp.GroupResponse', 'properties', 'createdAt')],
    ['GET /groups/{id}/members joinedAt', responses[3]![1], field(memberList[0], 'joinedAt'), schemaCite('grp.GroupMemberResponse', 'properties', 'joinedAt')],
    ['GET /groups/{id}/requests createdAt', responses[4]![1], field(requestList[0], 'createdAt'), schemaCite('grp.JoinRequestResponse', 'properties', 'createdAt')],
  ];
  const missing = judged.filter(([, , v]) => typeof v !== 'string' || v === '');
  if (missing.length > 0) {
    const [what, res, v, cite] = missing[0]!;
    fail({ message: `${missing.length} typed time field(s) to judge are missing or not text: ${missing.map(([w]) => w).join('; ')}`, expected: `an RFC 3339 ${what}`, observed: v ?? null, cite, replay: res.replay });
  }
});
