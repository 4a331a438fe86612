import fc from 'fast-check';
import { RequestArbitraries, type RequestParts } from '../../contracts/arbitraries.js';
import { loadContracts, OPENAPI_FILE } from '../../contracts/index.js';
import { pointer } from '../../contracts/pointer.js';
import { enumSpellings } from '../../contracts/proto-shapes.js';
import { ConformanceFailure, expectEqual, fail } from '../../fixtures/failure.js';
import type { FailureDetail } from '../../fixtures/recorder.js';
import type { RestApi, RestClient, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
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
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        if (e instanceof ConformanceFailure) failures.push({ item: name(item), detail: e.detail });
        else failures.push({ item: name(item), detail: { message: `${name(item)}: ${(e as Error).message}` } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failures.length > 0) {
    const first = failures[0]!.detail;
    fail({
      ...first,
      message: `${failures.length} of ${items.length} failed:\n${failures.map((f) => `  - ${f.detail.message.split('\n').join('\n    ')}`).join('\n')}`,
    });
  }
}

/**
 * Run a setup step that rests on an input the contract leaves open (contract-notes §6.2: "a check whose setup relies
 * on an assumed input is reported skipped, not failed, when that setup step fails").
 */
export async function assumedSetup<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const msg = e instanceof ConformanceFailure ? e.detail.message : (e as Error).message;
    test.skip(true, `setup "${what}" relies on an assumed input (contract-notes I9) and failed: ${msg.split('\n')[0]}`);
    throw e;
  }
}

export function requireAdmin(target: Target): void {
  test.skip(!target.admin, 'admin checks need admin credentials (ANYCHAT_ADMIN_USER / ANYCHAT_ADMIN_PASSWORD); none were given');
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

/** POST /groups as `owner` with `members` (the contract requires ≥ 1 other member). */
export async function makeGroup(api: RestApi, owner: TestUser, members: TestUser[], extra: Record<string, unknown> = {}): Promise<Group> {
  const res = await api.as(owner).call('POST /groups', {
    body: { name: `grp-${owner.nickname.slice(-10)}`, memberIds: members.map((m) => m.userId), joinVerify: false, ...extra },
    expect: 'success',
    why: '(creating a test group)',
  });
  const groupId = res.data?.groupId;
  if (typeof groupId !== 'string' || !groupId) {
    fail({ message: 'POST /groups returned no groupId', expected: 'data.groupId: a non-empty string', observed: res.data, cite: schemaCite('grp.GroupResponse', 'properties', 'groupId'), replay: res.replay });
  }
  return { groupId, owner, data: res.data };
}

/** A sends B a friend request and B accepts (assumed bodies, contract-notes I9); returns the request id. */
export async function befriend(api: RestApi, a: TestUser, b: TestUser): Promise<number | string> {
  const sent = await api.as(a).call('POST /friends/requests', { body: { userId: b.userId, message: 'hi', source: 'search' }, expect: 'success' });
  let rid = requestIdOf(sent.data?.requestId);
  if (rid === undefined) {
    const list = await api.as(b).call('GET /friends/requests', { query: { type: 'received' }, expect: 'success' });
    rid = requestIdOf(findRequest(list.data, a.userId)?.id);
  }
  if (rid === undefined) fail({ message: 'no friend request id found after POST /friends/requests', expected: 'data.requestId or a received request from A', observed: sent.data, cite: opCite('POST /friends/requests'), replay: sent.replay });
  await api.as(b).call('PUT /friends/requests/{id}', { params: { id: rid }, body: { action: 'accept' }, expect: 'success' });
  return rid;
}

/** The request from `fromUserId` in a GetFriendRequestsResponse-shaped data. */
export function findRequest(data: any, fromUserId: string): any {
  return (Array.isArray(data?.requests) ? data.requests : []).find((r: any) => (r?.fromUserId ?? r?.from_user_id) === fromUserId);
}

/** Friends' user ids in a GetFriendListResponse-shaped data. */
export function friendIds(data: any): string[] {
  return (Array.isArray(data?.friends) ? data.friends : []).map((f: any) => f?.userId ?? f?.user_id ?? f?.userInfo?.userId);
}

export async function members(client: RestClient, groupId: string, query: Record<string, number> = {}): Promise<{ res: RestResponse; list: any[] }> {
  const res = await client.call('GET /groups/{id}/members', { params: { id: groupId }, query: { pageSize: 100, ...query }, expect: 'success' });
  return { res, list: Array.isArray(res.data?.members) ? res.data.members : [] };
}

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
    const v = res.data?.[f];
    return v === undefined || v === null || v === '';
  });
  if (missing.length > 0) {
    fail({ message: `${what}: data lacks ${missing.join(', ')}`, expected: `non-empty ${missing.map((m) => `data.${m}`).join(', ')}`, observed: res.data, cite, replay: res.replay });
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
