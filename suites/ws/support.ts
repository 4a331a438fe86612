import { randomUUID } from 'node:crypto';
import { OPENAPI_FILE, pointer } from '../../contracts/index.js';
import { messageCite } from '../../fixtures/ws-client.js';
import { check, test, type CheckArgs, type CheckMeta } from '../check.js';

/** Shared setup of the WebSocket checks: REST steps that skip the check when they fail, cites, the wsCheck wrapper. */

export type Api = CheckArgs['api'];
/** The fixtures the WS checks use (Playwright needs them destructured in each check's signature). */
export type WsArgs = Pick<CheckArgs, 'api' | 'newUser' | 'ws' | 'target' | 'contracts' | 'recorder'>;
export type User = Awaited<ReturnType<CheckArgs['newUser']>>;

export const NOTIFICATION_CITE = messageCite('Notification', 'payload');
export const EXAMPLE_CITE = {
  newMessage: messageCite('Notification', 'examples', '0'),
  friendRequest: messageCite('Notification', 'examples', '1'),
  groupInvited: messageCite('Notification', 'examples', '2'),
};

/** check() whose body takes the WS fixtures as one object (Playwright reads the fixtures from this destructuring). */
export function wsCheck(meta: CheckMeta, body: (args: WsArgs) => Promise<void>): void {
  check(meta, async ({ api, newUser, ws, target, contracts, recorder }) => body({ api, newUser, ws, target, contracts, recorder }));
}

/** Citation of a REST operation by key ('POST /groups') — the same form as the catalogue's `cite`. */
export function opCite(key: string): string {
  const [method, path] = key.split(' ') as [string, string];
  return `${OPENAPI_FILE}#${pointer('paths', path, method.toLowerCase())}`;
}

/** A unique, recognisable text: run id + random part (+ non-ASCII and markup to exercise round-trips). */
export function uniqueText(runId: string, what = 'msg'): string {
  return `${what} ${runId} ${randomUUID().slice(0, 8)} 你好 <b>&amp;</b> "q"`;
}

export const newLocalId = () => `local-${randomUUID()}`;

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/**
 * Run a REST setup step; if it fails the check cannot judge its own behaviour, so it is skipped with the reason
 * (the REST suites report the failure itself).
 */
export async function setup<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    test.skip(true, `setup failed (${what}): ${firstLine(e)}`);
    throw e;
  }
}

/** A group owned by `owner` with `members` (joinVerify false); returns its groupId. */
export async function createGroup(api: Api, owner: User, members: User[], name = `ws-group ${randomUUID().slice(0, 6)}`): Promise<{ groupId: string; name: string }> {
  return setup('POST /groups', async () => {
    const res = await api.as(owner).call('POST /groups', { body: { name, memberIds: members.map((m) => m.userId), joinVerify: false } });
    const groupId = res.data?.groupId;
    if (typeof groupId !== 'string' || !groupId) throw new Error('POST /groups returned no groupId');
    return { groupId, name };
  });
}

/** `from` asks `to` for friendship; returns the request id (REST data.requestId, else found in `to`'s received list). */
export async function sendFriendRequest(api: Api, from: User, to: User, message: string): Promise<{ requestId: string | number | undefined; autoAccepted: boolean }> {
  return setup('POST /friends/requests', async () => {
    const res = await api.as(from).call('POST /friends/requests', { body: { userId: to.userId, message, source: 'search' } });
    return { requestId: res.data?.requestId ?? res.data?.id, autoAccepted: res.data?.autoAccepted === true };
  });
}

/** `to` accepts the pending request from `from` (id looked up in the received list when not given). */
export async function acceptFriendRequest(api: Api, from: User, to: User, requestId?: string | number): Promise<void> {
  await setup('PUT /friends/requests/{id}', async () => {
    let id = requestId;
    if (id === undefined || id === '') {
      const list = await api.as(to).call('GET /friends/requests', { query: { type: 'received' } });
      const reqs: any[] = list.data?.requests ?? [];
      id = reqs.find((r) => (r.fromUserId ?? r.from_user_id) === from.userId)?.id;
      if (id === undefined) throw new Error(`no request from ${from.userId} in GET /friends/requests`);
    }
    await api.as(to).call('PUT /friends/requests/{id}', { params: { id }, body: { action: 'accept' } });
  });
}

export async function befriend(api: Api, a: User, b: User): Promise<void> {
  const { requestId, autoAccepted } = await sendFriendRequest(api, a, b, 'ws checks');
  if (!autoAccepted) await acceptFriendRequest(api, a, b, requestId);
}

/** The sessionId of `user`'s session for conversation `conversationId` (matched on sessionId, targetId or conversationId). */
export async function sessionFor(api: Api, user: User, conversationId: string): Promise<string> {
  return setup('GET /sessions', async () => {
    const res = await api.as(user).call('GET /sessions');
    const sessions: any[] = res.data?.sessions ?? [];
    const s = sessions.find((x) => [x.sessionId, x.targetId, x.conversationId, x.session_id, x.target_id].includes(conversationId));
    const id = s?.sessionId ?? s?.session_id;
    if (typeof id !== 'string' || !id) throw new Error(`no session for ${conversationId} in GET /sessions (${sessions.length} sessions)`);
    return id;
  });
}

export { mentions, NotificationWatch } from '../../fixtures/ws-watch.js';
