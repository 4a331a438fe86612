import { randomUUID } from 'node:crypto';
import { CONTENT_CITES, messageContent } from '../../fixtures/content.js';
import { expectThat, fail } from '../../fixtures/failure.js';
import { markBroken, requirePrereq } from '../../fixtures/prereq.js';
import { field, str, num } from '../../fixtures/read.js';
import { messageCite, notificationOf, type Frame, type MessageAck } from '../../fixtures/ws-client.js';
import { MULTI_SOCKET, SINGLE_SOCKET_REASON } from '../../fixtures/ws.js';
import { test } from '../check.js';
import { befriend, content, createGroup, EXAMPLE_CITE, newLocalId, sendAcked, SEND_ACK, uniqueContent, wsCheck, type User, type WsArgs } from './support.js';

/** Sending over WS: acks, sequences, timestamps, delivery (contract-notes §6.3 WS5–WS7, WS9, WS13, WS15, WS16). */

const ACK = (...p: string[]) => messageCite('MessageSent', 'payload', 'properties', 'payload', 'properties', ...p);

/** A and B in a new group, both connected. */
async function groupOfTwo({ api, newUser, ws }: Pick<WsArgs, 'api' | 'newUser' | 'ws'>) {
  const [a, b] = [await newUser(), await newUser()];
  const { groupId } = await createGroup(api, a, [b]);
  const ca = await ws.connect(a, { label: 'A' });
  const cb = await ws.connect(b, { label: 'B' });
  return { a, b, groupId, ca, cb };
}

/** message.new naming `messageId`, in either notification frame shape (the shape is WS.8's business). */
const isNew = (messageId: string) => (f: Frame) => {
  const n = notificationOf(f.data);
  return n?.type === 'message.new' && str(n.data, 'messageId') === messageId;
};
const dataOf = (f: Frame) => notificationOf(f.data)?.data ?? {};

wsCheck({
  id: 'WS.5', level: 'MUST', title: 'message.send to a group is acked by message.sent: string messageId, integer sequence ≥ 1, integer timestamp, localId echoed',
  cites: [messageCite('MessageSend'), messageCite('MessageSent')],
}, async (args) => {
  const { groupId, ca } = await groupOfTwo(args);
  const localId = newLocalId();
  const ack = await sendAcked(ca, { conversationId: groupId, conversationType: 'group', contentType: 'text', content: uniqueContent(args.target), localId });
  const observed = ack;
  expectThat(typeof ack.messageId === 'string' && ack.messageId.length > 0, { message: 'message.sent.messageId is not a non-empty string', expected: 'non-empty string', observed, cite: ACK('messageId'), replay: ca.replay });
  expectThat(Number.isInteger(ack.sequence) && ack.sequence >= 1, { message: 'message.sent.sequence is not an integer ≥ 1', expected: 'integer ≥ 1', observed, cite: ACK('sequence'), replay: ca.replay });
  expectThat(Number.isInteger(ack.timestamp), { message: 'message.sent.timestamp is not an integer', expected: 'integer', observed, cite: ACK('timestamp'), replay: ca.replay });
  expectThat(ack.localId === localId, { message: 'message.sent does not echo localId', expected: localId, observed, cite: ACK('localId'), replay: ca.replay });
});

wsCheck({
  id: 'WS.6', level: 'MUST', title: 'successive sends into one conversation get strictly increasing sequences',
  cites: ACK('sequence'),
}, async (args) => {
  const { groupId, ca } = await groupOfTwo(args);
  const acks: MessageAck[] = [];
  for (let i = 0; i < 3; i++) {
    acks.push(await sendAcked(ca, { conversationId: groupId, conversationType: 'group', content: content(args.target, `ws6 #${i}`), localId: newLocalId() }));
  }
  const seqs = acks.map((x) => x.sequence);
  expectThat(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), {
    message: 'sequence did not strictly increase across three sends into the same group', expected: 'strictly increasing', observed: seqs, cite: ACK('sequence'), replay: ca.replay,
  });
});

wsCheck({
  id: 'WS.7', level: 'SHOULD', title: 'message.sent and notification timestamps are Unix seconds (within ±300 s of the harness clock)',
  cites: [ACK('timestamp'), messageCite('Notification', 'payload', 'properties', 'payload', 'properties', 'timestamp')],
}, async (args) => {
  const { groupId, ca, cb } = await groupOfTwo(args);
  const ack = await sendAcked(ca, { conversationId: groupId, conversationType: 'group', content: content(args.target, 'ws7'), localId: newLocalId() });
  await cb.settle();
  const stamps: Array<{ what: string; value: unknown; cite: string }> = [{ what: 'message.sent.timestamp', value: ack.timestamp, cite: ACK('timestamp') }];
  for (const f of cb.notifications()) {
    const n = notificationOf(f.data)!;
    stamps.push({ what: `notification ${n.type ?? '(no type)'} timestamp`, value: n.timestamp, cite: messageCite('Notification', 'payload', 'properties', 'payload', 'properties', 'timestamp') });
  }
  const now = Date.now() / 1000;
  for (const s of stamps) {
    const v = typeof s.value === 'number' ? s.value : NaN;
    if (Math.abs(v - now) <= 300) continue;
    const ms = Math.abs(v / 1000 - now) <= 300;
    fail({
      message: ms ? `${s.what} is in milliseconds, not Unix seconds` : typeof s.value === 'number' ? `${s.what} is not within ±300 s of the harness clock` : `${s.what} is not a number of Unix seconds`,
      expected: `Unix seconds ≈ ${Math.floor(now)}`, observed: s.value === undefined ? '(absent)' : s.value, cite: s.cite, replay: ca.replay,
    });
  }
});

wsCheck({
  id: 'WS.9', level: 'SHOULD', title: 'the other member gets message.new with messageId, conversationId, senderId, contentType, content and sequence of the sent message',
  cites: [EXAMPLE_CITE.newMessage, messageCite('Notification', 'payload')],
}, async (args) => {
  const { a, groupId, ca, cb } = await groupOfTwo(args);
  const sent = uniqueContent(args.target);
  const ack = await sendAcked(ca, { conversationId: groupId, conversationType: 'group', contentType: 'text', content: sent, localId: newLocalId() });
  const f = await cb.waitFor(isNew(ack.messageId), { what: `message.new for messageId ${ack.messageId}`, cite: EXAMPLE_CITE.newMessage });
  const data = dataOf(f);
  const expected: Record<string, unknown> = { messageId: ack.messageId, conversationId: groupId, senderId: a.userId, contentType: 'text', content: sent, sequence: ack.sequence };
  const wrong = Object.entries(expected).filter(([k, v]) => (typeof v === 'number' ? num(data, k) : field(data, k)) !== v);
  if (wrong.length > 0) {
    fail({
      message: `message.new data differs from what was sent in ${wrong.map(([k]) => k).join(', ')}`,
      expected, observed: data, cite: EXAMPLE_CITE.newMessage, replay: ca.replay,
    });
  }
});

wsCheck({
  id: 'WS.13', level: 'MUST', title: 'message.send without localId is still acked, with no (or an empty) localId',
  cites: messageCite('MessageSend', 'payload', 'properties', 'payload', 'properties', 'localId'),
}, async (args) => {
  const { groupId, ca } = await groupOfTwo(args);
  // A send with localId first: the ack path itself is WS.5's; only the send without localId is judged here.
  await sendAcked(ca, { conversationId: groupId, conversationType: 'group', content: content(args.target, 'ws13 with localId'), localId: newLocalId() });
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', content: content(args.target, 'ws13 no localId') });
  expectThat(ack.localId === undefined || ack.localId === '', {
    message: 'message.sent carries a localId although none was sent', expected: 'no localId (or "")', observed: ack, cite: ACK('localId'), replay: ca.replay,
  });
});

wsCheck({
  id: 'WS.15', level: 'MAY', title: 'a user connected from two devices gets message.new on both',
  cites: [messageCite('Notification'), EXAMPLE_CITE.newMessage],
}, async (args) => {
  await args.ws.requireMultiSocket();
  const { b, groupId, ca, cb } = await groupOfTwo(args);
  const cb2 = await args.ws.connect(b, { deviceId: `dev2-${randomUUID().slice(0, 8)}`, label: 'B (2nd device)' });
  const ack = await sendAcked(ca, { conversationId: groupId, conversationType: 'group', content: content(args.target, 'ws15'), localId: newLocalId() });
  await cb.waitFor(isNew(ack.messageId), { what: `message.new ${ack.messageId} on B's first device` });
  await cb2.waitFor(isNew(ack.messageId), { what: `message.new ${ack.messageId} on B's second device` });
});

/** The conversation id the sender uses for a private chat, per --private-conv (contract-notes I11). */
function privateId(mode: 'peer' | 'pair', from: User, to: User): string {
  if (mode === 'peer') return to.userId;
  const [x, y] = [from.userId, to.userId].sort();
  return `p_${x}_${y}`;
}

wsCheck({
  id: 'WS.16', level: 'MAY', title: 'a private message (conversationType "private", configured id convention) is acked and delivered, both ways in one conversation',
  cites: messageCite('MessageSend', 'payload', 'properties', 'payload', 'properties', 'conversationType'),
  assumed: true,
}, async (args) => {
  const mode = args.target.privateConv;
  test.skip(mode === 'off', 'private chat disabled (--private-conv off)');
  if (mode === 'off') return;
  requirePrereq(SEND_ACK);
  const [a, b] = [await args.newUser(), await args.newUser()];
  await befriend(args.api, a, b);
  const ca = await args.ws.connect(a, { label: 'A' });
  const cb = await args.ws.connect(b, { label: 'B' });
  const ack1 = await ca.sendMessage({ conversationId: privateId(mode, a, b), conversationType: 'private', content: content(args.target, 'ws16 A→B'), localId: newLocalId() });
  const n1 = await cb.waitFor(isNew(ack1.messageId), { what: `message.new ${ack1.messageId} for B (private, id convention "${mode}")` });
  const d1 = dataOf(n1);
  const canonical = str(d1, 'conversationId');
  expectThat(canonical !== undefined, {
    message: 'private message.new has no conversationId', expected: 'a conversation id', observed: d1, cite: EXAMPLE_CITE.newMessage, replay: ca.replay,
  });
  expectThat(num(d1, 'sequence') === ack1.sequence, {
    message: 'private message.new sequence differs from the ack', expected: ack1.sequence, observed: d1, cite: EXAMPLE_CITE.newMessage, replay: ca.replay,
  });
  const ack2 = await cb.sendMessage({ conversationId: privateId(mode, b, a), conversationType: 'private', content: content(args.target, 'ws16 B→A'), localId: newLocalId() });
  const n2 = await ca.waitFor(isNew(ack2.messageId), { what: `message.new ${ack2.messageId} for A (reply)` });
  const d2 = dataOf(n2);
  expectThat(str(d2, 'conversationId') === canonical, {
    message: 'the reply landed in a different conversation id than the first message', expected: canonical, observed: str(d2, 'conversationId') ?? '(absent)', cite: EXAMPLE_CITE.newMessage, replay: cb.replay,
  });
  expectThat(ack2.sequence > ack1.sequence, {
    message: 'sequence did not increase within the private conversation', expected: `> ${ack1.sequence}`, observed: ack2.sequence, cite: ACK('sequence'), replay: cb.replay,
  });
});

wsCheck({
  id: 'WS.CONTENT-TEXT', level: 'SHOULD',
  title: 'message.send with plain-text content is acked (the AsyncAPI example is plain text; message.proto calls content a "JSON string")',
  cites: [CONTENT_CITES.asyncapi, CONTENT_CITES.asyncapiExample, CONTENT_CITES.proto],
}, async (args) => {
  requirePrereq(SEND_ACK);
  const { groupId, ca } = await groupOfTwo(args);
  // The plain-text send goes first, then a send in JSON content (the prerequisite, owned by WS.5): once the JSON one
  // is acked, the plain one has had its turn, so a short grace suffices instead of a full timeout.
  const plain = { conversationId: groupId, conversationType: 'group', contentType: 'text', content: `plain text 你好 ${randomUUID().slice(0, 8)}`, localId: newLocalId() };
  const sentAt = ca.mark();
  const plainAck = ca.sendMessage(plain).then((a) => ({ ok: true as const, a }), (e: unknown) => ({ ok: false as const, e }));
  await sendAcked(ca, { conversationId: groupId, conversationType: 'group', contentType: 'text', content: messageContent({ contentFormat: 'json' }, 'json content'), localId: newLocalId() });
  const r = await Promise.race([plainAck, new Promise<null>((res) => setTimeout(() => res(null), 2000))]);
  if (r?.ok) return;
  const acks = ca.received(sentAt, (f) => f.data?.type === 'message.sent').map((f) => f.data.payload);
  fail({
    message: 'a message.send with plain-text content was not acked, while one with JSON content ({"text":…}) was: the contract contradicts itself — ' +
      'the AsyncAPI MessageSend content is a string whose example is plain text, message.proto documents content as a "JSON string". ' +
      'Clients following the AsyncAPI example lose their messages silently (use --content-format json, the default, to test everything else)',
    expected: { ack: 'message.sent echoing localId', localId: plain.localId, content: plain.content },
    observed: r === null ? { plainText: 'no message.sent within 2 s after the JSON-content send was acked', acksReceived: acks.length ? acks : 'nothing' } : { plainText: String((r.e as Error)?.message ?? r.e).split('\n')[0], acksReceived: acks.length ? acks : 'nothing' },
    cite: `${CONTENT_CITES.asyncapiExample} ; ${CONTENT_CITES.proto}`, replay: ca.replay,
  });
});

wsCheck({
  id: 'WS.MULTI-DEVICE', level: 'MAY',
  title: 'two connections of one user (two devices) both stay open (beyond the contract: it is silent on one socket per user)',
  cites: [messageCite('Notification'), `websocket/asyncapi.yaml#/channels/~1api~1v1~1ws/bindings/ws/query`],
}, async (args) => {
  const r = await args.ws.multiSocket({ fresh: true });
  if (!r.multi) {
    markBroken({ key: MULTI_SOCKET.key, owner: MULTI_SOCKET.owner, reason: `${SINGLE_SOCKET_REASON}: ${r.observed}` });
    fail({
      message: `${SINGLE_SOCKET_REASON}: ${r.observed}; the multi-device checks are blocked and the ordering model runs with one device per user`,
      expected: 'both connections open (each authenticates with its own device token)', observed: r.observed,
      cite: 'websocket/asyncapi.yaml#/channels/~1api~1v1~1ws/bindings/ws/query', replay: args.ws.clients[0]?.replay,
    });
  }
});
