import fc from 'fast-check';
import { RequestArbitraries, type RequestParts } from '../../contracts/arbitraries.js';
import { loadContracts, OPENAPI_FILE } from '../../contracts/index.js';
import { pointer } from '../../contracts/pointer.js';
import { enumSpellings } from '../../contracts/proto-shapes.js';
import { ConformanceFailure, expectEqual, fail } from '../../fixtures/failure.js';
import { block, isSkip, owns, prereq, PrerequisiteBroken, type Prereq } from '../../fixtures/prereq.js';
import { field, findBy, list as readList, str } from '../../fixtures/read.js';
import type { FailureDetail } from '../../fixtures/recorder.js';
import type { RestApi, RestClient, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { restPrereq } from '../../fixtures/rest-prereqs.js';
import type { Target } from '../../fixtures/target.js';
import { ADMIN_LOGIN, adminClient } from '../../fixtures/users.js';
import { test } from '../check.js';

/** Shared helpers of the REST and security suites: citations, sweeps, setup that skips, and small world builders. */

const contracts = loadContracts(process.env.ANYCHAT_CONTRACTS || undefined);

/** The citation of an operation ('http/openapi.json#/paths/~1groups/post'), optionally deeper. */
export function opCite(key: string, ...deeper: string[]): string {
  // An operation another contract version lacks still gets its citation, so the suite loads and the check is reported
  // not applicable (contracts/applicability.ts); tests/contracts-diff.test.ts requires every check to apply to the pinned bundle.
  const [method = '', path = ''] = key.split(' ');
  const cite = contracts.catalogue.operationsByKey.get(key)?.cite ?? `${OPENAPI_FILE}#${pointer('paths', path, method.toLowerCase())}`;
  return deeper.length ? `${cite}${pointer(...deeper)}` : cite;
}

export function schemaCite(name: string, ...deeper: string[]): string {
  const short: Record<string, string> = { gw: 'internal_gateway_handler.', grp: 'github_com_anychat_server_internal_group_dto.', adm: 'handler.' };
  const full = name.replace(/^(gw|grp|adm)\./, (_, p: string) => short[p]!);
  return `${OPENAPI_FILE}#${pointer('components', 'schemas', full, ...deeper)}`;
}

export const catalogue = contracts.catalogue;

/**
 * Run `fn` for every item (at most `concurrency` at a time), keep going past failures and fail once at the end,
 * listing every item that failed. The first failure's citation and replay lead the report.
 */
export async function sweep<T>(items: readonly T[], name: (item: T) => string, fn: (item: T) => Promise<void>, concurrency = 6): Promise<void> {
  const failures: { item: string; detail: FailureDetail }[] = [];
  const notJudged: PrerequisiteBroken[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        if (isSkip(e)) throw e;
        if (e instanceof PrerequisiteBroken) notJudged.push(e);
        else if (e instanceof ConformanceFailure) failures.push({ item: name(item), detail: e.detail });
        else failures.push({ item: name(item), detail: { message: `${name(item)}: ${(e as Error).message}` } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failures.length > 0) fail(sweepFailure(failures, items.length));
  // Items whose prerequisite is broken are not judged; when none was judged, the whole sweep is blocked.
  if (notJudged.length > 0 && notJudged.length === items.length) throw notJudged[0];
}

/**
 * One failure for a sweep: the first line already names every failed item (summaries and consoles show only the
 * first line), then one line per item with the first line of its own message; the first item's citation and replay lead.
 */
export function sweepFailure(failures: { item: string; detail: FailureDetail }[], total: number): FailureDetail {
  const names = failures.map((f) => f.item);
  const head = `${failures.length} of ${total} failed: ${names.slice(0, 12).join('; ')}${names.length > 12 ? `; … (${names.length - 12} more)` : ''}`;
  const lines = failures.map((f) => `  - ${f.item}: ${firstLineOf(f.detail.message, f.item)}`);
  return { ...failures[0]!.detail, message: `${head}\n${lines.join('\n')}` };
}

function firstLineOf(message: string, item: string): string {
  const first = (message.split('\n').find((l) => l.trim() !== '') ?? '(no message)').trim();
  return first.startsWith(item) ? first.slice(item.length).replace(/^[:\s]+/, '') || first : first;
}


/** Wording for a setup step whose request body rests on contract-notes I9 (the contract leaves the body untyped). */
export const ASSUMED_INPUT = 'relies on an assumed input (contract-notes I9)';

// ---- prerequisites: each setup step names the check that owns its behaviour (fixtures/prereq.ts) ---------------

export const P = {
  group: restPrereq('POST /groups', 'creating a test group (POST /groups)'),
  joinVerify: { key: 'rest:POST /groups/{id}/join (verify)', owner: 'REST.G11', what: 'a join request to a joinVerify group (POST /groups/{id}/join)' },
  joinOpen: { key: 'rest:POST /groups/{id}/join (open)', owner: 'REST.G12', what: 'joining an open group (POST /groups/{id}/join)' },
  role: restPrereq('PUT /groups/{id}/members/{userId}/role', 'making a member admin (PUT /groups/{id}/members/{userId}/role)'),
  friendRequest: restPrereq('POST /friends/requests', `sending a friend request (POST /friends/requests; ${ASSUMED_INPUT})`),
  friendRequestList: restPrereq('GET /friends/requests', 'finding the friend request id in GET /friends/requests'),
  friendAccept: restPrereq('PUT /friends/requests/{id}', `accepting a friend request (PUT /friends/requests/{id}; ${ASSUMED_INPUT})`),
  blacklist: restPrereq('POST /friends/blacklist', `blocking a user (POST /friends/blacklist; ${ASSUMED_INPUT})`),
  uploadToken: restPrereq('POST /files/upload-token', `getting an upload token (POST /files/upload-token; ${ASSUMED_INPUT})`),
  fileUpload: { key: 'rest:file upload', owner: 'REST.FI3', what: 'uploading bytes and completing the file (PUT uploadUrl, POST /files/{fileId}/complete)' },
  call: restPrereq('POST /rtc/calls', 'starting a call (POST /rtc/calls)'),
  meeting: restPrereq('POST /rtc/meetings', 'creating a meeting (POST /rtc/meetings)'),
  wsSend: { key: 'ws.send-ack', owner: 'WS.5', what: 'sending a group message over WebSocket (message.send acked by message.sent)' },
  session: { key: 'rest:session after a message', owner: 'REST.M1', what: "finding the group's session in GET /sessions after a message" },
  login: restPrereq('POST /auth/login', 'logging in (POST /auth/login)'),
} satisfies Record<string, Prereq>;

export { block, isSkip, owns, prereq };

/** The message content the harness sends (--content-format): a JSON text {"text": …} by default, or plain text. */
export function content(target: Pick<Target, 'contentFormat'>, text: string): string {
  return target.contentFormat === 'text' ? text : JSON.stringify({ text });
}

export const NO_ADMIN = 'admin checks need admin credentials (--admin-user/--admin-password, ANYCHAT_ADMIN_USER / ANYCHAT_ADMIN_PASSWORD); none were given';

/** Skip (not configured) when the run has no admin credentials. */
export function requireAdminConfigured(target: Target): void {
  test.skip(!target.admin, NO_ADMIN);
}

/** The admin token as setup: skipped without credentials, blocked (citing REST.AD1) when admin login fails. */
export async function adminSetup(api: RestApi, target: Target): Promise<Awaited<ReturnType<typeof adminClient>>> {
  requireAdminConfigured(target);
  return prereq(ADMIN_LOGIN, () => adminClient(api, target));
}

/** A string id that names nothing on any server. */
export function unknownId(prefix = 'nx'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`;
}

/** Fill every path parameter of an op with a dummy value of its declared type. */
export function dummyParams(key: string): Record<string, string | number> {
  const op = contracts.catalogue.operationsByKey.get(key)!;
  return Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name, p.schema.type === 'integer' ? 987654321 : unknownId()]));
}

/** A friend request id as sent (integer, or numeric string per contract-notes I16). */
export function requestIdOf(v: unknown): number | string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return undefined;
}

export interface Group {
  groupId: string;
  owner: TestUser;
  data: any;
}

/** POST /groups as `owner` with `members` (the contract requires ≥ 1 other member); a ConformanceFailure if it fails. */
export async function createGroup(api: RestApi, owner: TestUser, members: TestUser[], extra: Record<string, unknown> = {}): Promise<Group> {
  const res = await api.as(owner).call('POST /groups', {
    body: { name: `grp ${owner.nickname.slice(-6)}`, memberIds: members.map((m) => m.userId), joinVerify: false, ...extra },
    expect: 'success',
    why: '(creating a test group)',
  });
  const groupId = str(res.data, 'groupId');
  if (!groupId) {
    fail({ message: 'POST /groups returned no groupId', expected: 'data.groupId: a non-empty string', observed: res.data ?? null, cite: schemaCite('grp.GroupResponse', 'properties', 'groupId'), replay: res.replay });
  }
  return { groupId, owner, data: res.data };
}

/** A group as setup: blocked (citing REST.G1) when groups cannot be created in this run. */
export function makeGroup(api: RestApi, owner: TestUser, members: TestUser[], extra: Record<string, unknown> = {}): Promise<Group> {
  return prereq(P.group, () => createGroup(api, owner, members, extra));
}

/** A sends B a friend request (assumed body, contract-notes I9). */
export function sendFriendRequest(api: RestApi, from: TestUser, to: TestUser): Promise<RestResponse> {
  return api.as(from).call('POST /friends/requests', { body: { userId: to.userId, message: 'hi', source: 'search' }, expect: 'success' });
}

/** The id of `from`'s request as `to` sees it in GET /friends/requests?type=received (fails when it cannot be read). */
export async function receivedRequestId(api: RestApi, to: TestUser, from: TestUser): Promise<number | string> {
  const res = await api.as(to).call('GET /friends/requests', { query: { type: 'received' }, expect: 'success' });
  const rid = requestIdOf(field(findRequest(res.data, from.userId), 'id'));
  if (rid === undefined) fail({ message: `GET /friends/requests (received) holds no request from ${from.userId} with an integer id`, expected: `a request with fromUserId ${from.userId} and an integer id`, observed: res.data ?? null, cite: opCite('GET /friends/requests'), replay: res.replay });
  return rid;
}

/** A and B become friends: A's request, B accepts (assumed bodies, contract-notes I9); each step blocks on its owner. */
export async function befriend(api: RestApi, a: TestUser, b: TestUser): Promise<number | string> {
  const sent = await prereq(P.friendRequest, () => sendFriendRequest(api, a, b));
  const rid = requestIdOf(field(sent.data, 'requestId')) ?? (await prereq(P.friendRequestList, () => receivedRequestId(api, b, a)));
  await prereq(P.friendAccept, () => api.as(b).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'accept' }, expect: 'success' }));
  return rid;
}

/** The request from `fromUserId` in a GetFriendRequestsResponse-shaped data (any key spelling). */
export function findRequest(data: unknown, fromUserId: string): any {
  return findBy(readList(data, 'requests') ?? [], 'fromUserId', fromUserId);
}

/** A friend's user id: Friend.userId, or its userInfo.userId. */
export function friendId(f: unknown): string | undefined {
  return str(f, 'userId') ?? str(f, 'userInfo.userId') ?? str(f, 'friendId');
}

/**
 * A list in a response, read under any key spelling (an omitted list reads as empty). When the list cannot be read
 * (data not an object, the field not an array) or none of its items has a readable `idKey`, presence cannot be
 * judged: the check is blocked, and the shape check of the operation (REST.HG3 typed, REST.HG4 untyped) owns it.
 */
export function visibleList(res: RestResponse, key: string, path: string, id: (item: unknown) => string | undefined, idName: string): unknown[] {
  const owner = catalogue.operationsByKey.get(key)?.dataKind === 'typed' ? 'REST.HG3' : 'REST.HG4';
  const items = readList(res.data, path);
  if (!items) block(`${key}: data.${path} cannot be read (data is ${JSON.stringify(res.data ?? null).slice(0, 120)}), so presence in it cannot be judged`, owner);
  if (items.length > 0 && !items.some((it) => id(it) !== undefined)) block(`${key}: no item of data.${path} has a readable ${idName}, so presence in it cannot be judged`, owner);
  return items;
}

/** Ids in a list read by `visibleList`. */
export const idsOf = (items: unknown[], id: (item: unknown) => string | undefined): string[] => items.map(id).filter((x): x is string => x !== undefined);

export async function members(client: RestClient, groupId: string, query: Record<string, number> = {}): Promise<{ res: RestResponse; list: any[] }> {
  const res = await client.call('GET /groups/{id}/members', { params: { id: groupId }, query: { pageSize: 100, ...query }, expect: 'success' });
  return { res, list: visibleList(res, 'GET /groups/{id}/members', 'members', (m) => str(m, 'userId'), 'userId') };
}

/** The member with `userId` in a member list (any key spelling). */
export const member = (list: readonly unknown[], userId: string): any => findBy(list, 'userId', userId);

/** Assert a call was rejected as unauthenticated/unauthorized: failure envelope, HTTP 401/403 (or 200 + code in lenient). */
export function expectAuthRejection(res: RestResponse, key: string, target: Target, what: string, cite: string, extraOk: number[] = []): void {
  const okStatus = [401, 403, ...extraOk];
  if (res.ok) {
    fail({ message: `${key} accepted ${what}`, expected: `a failure envelope with HTTP ${okStatus.join('/')}`, observed: { status: res.status, body: res.body }, cite, replay: res.replay });
  }
  const lenient200 = !target.strict && res.status === 200;
  if (!okStatus.includes(res.status) && !lenient200) {
    fail({ message: `${key} with ${what}: HTTP ${res.status} is not an authentication/authorization rejection`, expected: `HTTP ${okStatus.join('/')}${target.strict ? '' : ' (or 200 with a non-zero code)'}`, observed: { status: res.status, body: res.body }, cite, replay: res.replay });
  }
}

/** Fields the contract types but never marks required, which a check needs (contract-notes I8 "assumed-required"). */
export function expectFields(res: RestResponse, fields: string[], what: string, cite: string): void {
  const missing = fields.filter((f) => {
    const v = field(res.data, f);
    return v === undefined || v === null || v === '';
  });
  if (missing.length > 0) {
    fail({ message: `${what}: data lacks ${missing.join(', ')}`, expected: `non-empty ${missing.map((m) => `data.${m}`).join(', ')}`, observed: res.data ?? null, cite, replay: res.replay });
  }
}

const arbitraries = new RequestArbitraries(contracts);
export { arbitraries };

/** A schema-valid request for `key` with dummy path ids (for auth sweeps: the body must not be why it fails). */
export function sampleRequest(key: string, seed: number): RequestParts {
  const [parts] = fc.sample(arbitraries.valid(key, { params: dummyParams(key) }), { seed, numRuns: 1 });
  return parts!;
}

/** The 73 operations that declare BearerAuth; `admin` selects the 14 admin ones (true), the 59 others (false) or all. */
export function securedOps(admin?: boolean): string[] {
  return catalogue.operations.filter((o) => o.secured && (admin === undefined || (o.area === 'admin') === admin)).map((o) => o.key);
}

/**
 * Whether `value` names enum value `name` of proto enum `enumFq` in any spelling contract-notes I5 accepts: the
 * number, the full name, the unprefixed name, any case; an absent value stands for the zero value.
 */
export function enumIs(enumFq: string, name: string, value: unknown): boolean {
  const e = contracts.bundle.protoRoot.lookupEnum(enumFq);
  const full = Object.keys(e.values).find((k) => k === name || k.endsWith(`_${name.toUpperCase()}`) || k === name.toUpperCase());
  if (!full) throw new Error(`suite bug: ${enumFq} has no value ${name}`);
  const num = e.values[full]!;
  if (value === undefined || value === null) return num === 0;
  if (typeof value === 'number') return value === num;
  const spellings = enumSpellings(e).filter((s) => s.toUpperCase() === full || full.endsWith(`_${s.toUpperCase()}`));
  return typeof value === 'string' && spellings.some((s) => s.toLowerCase() === value.toLowerCase());
}

/** Strict mode (ANYCHAT_STRICT): a failure must carry the specific status the op declares for it (when it declares it). */
export function expectStrictStatus(target: Target, res: RestResponse, key: string, status: number, what: string): void {
  if (!target.strict || !catalogue.operationsByKey.get(key)?.statuses.includes(status)) return;
  expectEqual(res.status, status, `HTTP status of ${key} ${what} (strict mode)`, opCite(key, 'responses', String(status)));
}
