import { expectThat, fail } from '../../fixtures/failure.js';
import { block } from '../../fixtures/prereq.js';
import { messageCite, WS_CHANNEL_CITE, WS_PUBLISH_CITE, WS_SUBSCRIBE_CITE, WS_TOKEN_CITE, type WsClient } from '../../fixtures/ws-client.js';
import { check, type CheckArgs } from '../check.js';
import { content, createGroup, newLocalId, opCite, sendAcked } from './support.js';

/** The channel itself: upgrade and authentication, heartbeat, frame format, robustness (contract-notes §6.3 WS1–WS4, WS14). */

check({
  id: 'WS.1', level: 'MUST', title: 'the upgrade with ?token=<access token> succeeds and the connection stays open',
  cites: [WS_CHANNEL_CITE, WS_TOKEN_CITE],
}, async ({ ws, newUser }) => {
  const a = await newUser();
  const c = await ws.connect(a, { label: 'A' });
  await new Promise((r) => setTimeout(r, 1000));
  expectThat(c.closed === null, {
    message: 'the server closed a connection authenticated with a valid access token within 1 s',
    expected: 'connection open', observed: c.closed, cite: opCite('GET /ws'), replay: c.replay,
  });
});

/** Flip one character in the middle of the JWT signature (the last character may carry only padding bits). */
function tamper(jwt: string): string {
  const i = jwt.lastIndexOf('.') + 5;
  return jwt.slice(0, i) + (jwt[i] === 'A' ? 'B' : 'A') + jwt.slice(i + 1);
}

check({
  id: 'WS.2', level: 'MUST', title: 'without a token, or with a bad one, the upgrade is refused (non-101) or the connection closed within 2 s',
  cites: WS_TOKEN_CITE,
}, async ({ ws, newUser }) => {
  const a = await newUser();
  const cases: Array<[string, string | null]> = [
    ['no token query', null],
    ['token "not-a-jwt"', 'not-a-jwt'],
    ['access token with a tampered signature', tamper(a.accessToken)],
  ];
  const accepted: unknown[] = [];
  for (const [what, token] of cases) {
    const r = await ws.attempt(token, { watchMs: 2000, label: what });
    const refused = !r.upgraded || (r.closedAfterMs !== undefined && r.closedAfterMs <= 2000);
    if (!refused) accepted.push({ case: what, upgraded: true, openAfterMs: 2000, replay: r.replay });
  }
  if (accepted.length > 0) {
    fail({
      message: `the server accepted ${accepted.length} of ${cases.length} unauthenticated upgrades and kept them open for 2 s`,
      expected: 'non-101 response, or a close within 2 s', observed: accepted, cite: WS_TOKEN_CITE, replay: (accepted[0] as any).replay,
    });
  }
});

check({
  id: 'WS.3', level: 'MUST', title: '{"type":"ping"} is answered by a pong frame within 5 s (payload absent or null)',
  cites: [messageCite('Ping'), messageCite('Pong')],
}, async ({ ws, newUser }) => {
  const c = await ws.connect(await newUser(), { label: 'A' });
  const pong = await c.ping(5000);
  const payload = pong.data.payload;
  expectThat(payload === undefined || payload === null, {
    message: 'the pong frame carries a payload; the contract says "no payload" (example: null)',
    expected: { type: 'pong', payload: null }, observed: pong.data, cite: messageCite('Pong', 'payload', 'properties', 'payload'), replay: c.replay,
  });
});

check({
  id: 'WS.4', level: 'MUST', title: 'every server frame is a JSON text frame whose type is pong, message.sent or notification',
  cites: WS_SUBSCRIBE_CITE,
}, async ({ ws, newUser, api, target }) => {
  const [a, b] = [await newUser(), await newUser()];
  const ca = await ws.connect(a, { label: 'A' });
  const cb = await ws.connect(b, { label: 'B' });
  const { groupId } = await createGroup(api, a, [b]);
  // Traffic of every kind the server can send: pong, message.sent, notifications (a missing pong is WS.3's business).
  await ca.settle(5000);
  await sendAcked(ca, { conversationId: groupId, conversationType: 'group', content: content(target, 'ws4'), localId: newLocalId() });
  await Promise.all([ca.settle(), cb.settle()]);
  const clients: WsClient[] = [ca, cb];
  // WS.4 judges the frame format and its type; a recognised frame whose payload breaks its schema is judged by the
  // check that owns that message (WS.5 message.sent, WS.8 notification).
  for (const c of clients) {
    const bad = c.violations.find((f) => f.message === undefined);
    if (bad) fail(c.violationDetail(bad));
  }
  const received = clients.reduce((n, c) => n + c.received().length, 0);
  expectThat(received > 0, { message: 'no server frame was received at all', expected: 'pong, message.sent, notifications', observed: 'nothing', cite: WS_SUBSCRIBE_CITE });
});

/** Send each bad frame on one connection (reconnecting after a close) and see whether a ping still gets a pong. */
async function survives(
  { ws, a, what }: { ws: CheckArgs['ws']; a: Awaited<ReturnType<CheckArgs['newUser']>>; what: string },
  cases: Array<{ what: string; send: (c: WsClient) => void; noAck?: boolean }>,
): Promise<{ problems: unknown[]; c: WsClient }> {
  let c = await ws.connect(a, { label: 'A' });
  // Survival is judged by a ping answered after each bad frame; a server that never answers ping cannot be judged.
  if (!(await c.settle(5000))) block(`the server does not answer a ping on a fresh connection, so ${what} cannot be observed`, 'WS.3');
  const problems: unknown[] = [];
  for (const k of cases) {
    if (!c.isOpen) c = await ws.connect(a, { label: 'A (reconnected)' });
    const since = c.mark();
    k.send(c);
    const alive = await c.settle(5000);
    if (!alive) {
      problems.push({ case: k.what, outcome: c.closed ? `connection closed (code ${c.closed.code}${c.closed.reason ? ` "${c.closed.reason}"` : ''})` : 'no pong within 5 s for the following ping' });
      continue;
    }
    const acks = c.received(since, (f) => f.data?.type === 'message.sent');
    if (k.noAck && acks.length > 0) problems.push({ case: k.what, outcome: 'acknowledged with message.sent', ack: acks[0]!.data });
  }
  return { problems, c };
}

check({
  id: 'WS.14', level: 'SHOULD',
  title: 'malformed JSON, an unknown type and a message.send without content do not break the connection',
  cites: [WS_PUBLISH_CITE, messageCite('MessageSend', 'payload', 'properties', 'payload', 'required')],
}, async ({ ws, newUser, api }) => {
  const [a, b] = [await newUser(), await newUser()];
  const { groupId } = await createGroup(api, a, [b]);
  const cases: Array<{ what: string; send: (c: WsClient) => void; noAck?: boolean }> = [
    { what: 'malformed JSON', send: (c) => c.sendRaw('{"type":"ping",', 'malformed JSON') },
    { what: 'unknown type', send: (c) => c.send({ type: 'harness.unknown', payload: { x: 1 } }, { invalid: 'unknown type' }) },
    {
      what: 'message.send without content', noAck: true,
      send: (c) => c.send({ type: 'message.send', payload: { conversationId: groupId, conversationType: 'group', contentType: 'text', localId: newLocalId() } }, { invalid: 'no content' }),
    },
  ];
  const { problems, c } = await survives({ ws, a, what: 'surviving a bad frame' }, cases);
  if (problems.length > 0) {
    fail({
      message: `${problems.length} of ${cases.length} bad frames broke the connection or were acknowledged`,
      expected: 'the connection survives every bad frame (a following ping gets a pong) and no message.sent for the invalid message.send',
      observed: problems, cite: WS_PUBLISH_CITE, replay: c.replay,
    });
  }
});

check({
  id: 'WS.14-LARGE', level: 'MAY',
  title: 'a 200 KiB message.send does not break the connection (beyond the contract: it sets no frame size limit)',
  cites: messageCite('MessageSend', 'payload', 'properties', 'payload', 'properties', 'content'),
}, async ({ ws, newUser, api, target }) => {
  const [a, b] = [await newUser(), await newUser()];
  const { groupId } = await createGroup(api, a, [b]);
  const big = content(target, 'x'.repeat(200 * 1024));
  const cases = [{
    what: 'a 200 KiB message.send',
    send: (c: WsClient) => c.send({ type: 'message.send', payload: { conversationId: groupId, conversationType: 'group', contentType: 'text', content: big, localId: newLocalId() } }),
  }];
  const { problems, c } = await survives({ ws, a, what: 'surviving a large frame' }, cases);
  if (problems.length > 0) {
    fail({
      message: 'a 200 KiB message.send broke the connection (the contract sets no size limit; a limit is the server\'s choice)',
      expected: 'the connection survives (a following ping gets a pong)', observed: problems,
      cite: messageCite('MessageSend', 'payload', 'properties', 'payload', 'properties', 'content'), replay: c.replay,
    });
  }
});
