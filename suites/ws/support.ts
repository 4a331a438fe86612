import { randomUUID } from 'node:crypto';
import { OPENAPI_FILE, pointer } from '../../contracts/index.js';
import { messageContent } from '../../fixtures/content.js';
import { messageCite } from '../../fixtures/ws-client.js';
import { step } from '../../fixtures/prereq-step.js';
import { field, findBy, list, str } from '../../fixtures/read.js';
import { check, type CheckArgs, type CheckMeta } from '../check.js';

/** Shared setup of the WebSocket checks: REST steps that block the check when they fail, cites, the wsCheck wrapper. */

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

/** Message content for `text` in the run's content format ({"text":"…"} by default; see fixtures/content.ts). */
export const content = (target: Pick<CheckArgs['target'], 'contentFormat'>, text: string) => messageContent(target, text);

/** A unique message content: uniqueText inside the run's content format (the unicode/markup round-trip stays in the text). */
export const uniqueContent = (target: CheckArgs['target'], what = 'msg') => messageContent(target, uniqueText(target.runId, what));

export const newLocalId = () => `local-${randomUUID()}`;

export { REST_OWNERS, restPrereq } from '../../fixtures/rest-prereqs.js';
import { restPrereq } from '../../fixtures/rest-prereqs.js';

/**
 * Run a REST setup step (operation `op`, or several joined by ' + ', the first owning): when it fails the check cannot
 * judge its own behaviour, so it is blocked citing the REST check that owns the operation.
 */
export function setup<T>(op: string, fn: () => Promise<T>): Promise<T> {
  return step(restPrereq(op.split(' + ')[0]!, op), fn);
}

/** A group owned by `owner` with `members` (joinVerify false); returns its groupId. */
export async function createGroup(api: Api, owner: User, members: User[], name = `ws-group ${randomUUID().slice(0, 6)}`): Promise<{ groupId: string; name: string }> {
  return setup('POST /groups', async () => {
    const res = await api.as(owner).call('POST /groups', { body: { name, memberIds: members.map((m) => m.userId), joinVerify: false } });
    const groupId = str(res.data, 'groupId');
    if (!groupId) throw new Error(`POST /groups returned no groupId (data: ${JSON.stringify(res.data)?.slice(0, 200)})`);
    return { groupId, name };
  });
}

/** `from` asks `to` for friendship; returns the request id (REST data.requestId, else found in `to`'s received list). */
export async function sendFriendRequest(api: Api, from: User, to: User, message: string): Promise<{ requestId: string | number | undefined; autoAccepted: boolean }> {
  return setup('POST /friends/requests', async () => {
    const res = await api.as(from).call('POST /friends/requests', { body: { userId: to.userId, message, source: 'search' } });
    return { requestId: str(res.data, 'requestId') ?? str(res.data, 'id'), autoAccepted: field(res.data, 'autoAccepted') === true };
  });
}

/** `to` accepts the pending request from `from` (id looked up in the received list when not given). */
export async function acceptFriendRequest(api: Api, from: User, to: User, requestId?: string | number): Promise<void> {
  let id = requestId;
  if (id === undefined || id === '') {
    id = await setup('GET /friends/requests', async () => {
      const res = await api.as(to).call('GET /friends/requests', { query: { type: 'received' } });
      const reqs = list(res.data, 'requests');
      if (!reqs) throw new Error(`GET /friends/requests: data.requests is not a list (data: ${JSON.stringify(res.data)?.slice(0, 200)})`);
      const found = str(findBy(reqs, 'fromUserId', from.userId), 'id') ?? str(findBy(reqs, 'fromUserId', from.userId), 'requestId');
      if (found === undefined) throw new Error(`no request from ${from.userId} among the ${reqs.length} in GET /friends/requests`);
      return found;
    });
  }
  await setup('PUT /friends/requests/{id}', () => api.as(to).call('PUT /friends/requests/{id}', { params: { id: id! }, body: { action: 'accept' } }));
}

export async function befriend(api: Api, a: User, b: User): Promise<void> {
  const { requestId, autoAccepted } = await sendFriendRequest(api, a, b, 'ws checks');
  if (!autoAccepted) await acceptFriendRequest(api, a, b, requestId);
}

/** The sessionId of `user`'s session for conversation `conversationId` (matched on sessionId, targetId or conversationId). */
export async function sessionFor(api: Api, user: User, conversationId: string): Promise<string> {
  return setup('GET /sessions', async () => {
    const res = await api.as(user).call('GET /sessions');
    const sessions = list(res.data, 'sessions');
    if (!sessions) throw new Error(`GET /sessions: data.sessions is not a list (data: ${JSON.stringify(res.data)?.slice(0, 200)})`);
    const s = sessions.find((x) => ['sessionId', 'targetId', 'conversationId'].some((k) => str(x, k) === conversationId));
    const id = str(s, 'sessionId');
    if (!id) throw new Error(`no session for ${conversationId} in GET /sessions (${sessions.length} sessions)`);
    return id;
  });
}

export { mentions, NotificationWatch } from '../../fixtures/ws-watch.js';
export { sendAcked, SEND_ACK, WS_CONNECT } from '../../fixtures/ws.js';
