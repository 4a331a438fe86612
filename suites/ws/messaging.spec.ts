import { randomUUID } from 'node:crypto';
import { expectThat, fail } from '../../fixtures/failure.js';
import { messageCite, type Frame, type MessageAck } from '../../fixtures/ws-client.js';
import { test } from '../check.js';
import { befriend, createGroup, EXAMPLE_CITE, newLocalId, uniqueText, wsCheck, type User, type WsArgs } from './support.js';

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

const isNew = (messageId: string) => (f: Frame) =>
  f.data?.type === 'notification' && f.data.payload?.notificationType === 'message.new' && f.data.payload?.data?.messageId === messageId;

wsCheck({
  id: 'WS.5', level: 'MUST', title: 'message.send to a group is acked by message.sent: string messageId, integer sequence ≥ 1, integer timestamp, localId echoed',
  cites: [messageCite('MessageSend'), messageCite('MessageSent')],
}, async (args) => {
  const { groupId, ca } = await groupOfTwo(args);
  const localId = newLocalId();
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', contentType: 'text', content: uniqueText(args.target.runId), localId });
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
    acks.push(await ca.sendMessage({ conversationId: groupId, conversationType: 'group', content: `ws6 #${i}`, localId: newLocalId() }));
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
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', content: 'ws7', localId: newLocalId() });
  await cb.settle();
  const stamps: Array<{ what: string; value: number; cite: string }> = [{ what: 'message.sent.timestamp', value: ack.timestamp, cite: ACK('timestamp') }];
  for (const f of cb.notifications()) {
    stamps.push({ what: `notification ${f.data.payload.notificationType} timestamp`, value: f.data.payload.timestamp, cite: messageCite('Notification', 'payload', 'properties', 'payload', 'properties', 'timestamp') });
  }
  const now = Date.now() / 1000;
  for (const s of stamps) {
    if (Math.abs(s.value - now) <= 300) continue;
    const ms = Math.abs(s.value / 1000 - now) <= 300;
    fail({
      message: ms ? `${s.what} is in milliseconds, not Unix seconds` : `${s.what} is not within ±300 s of the harness clock`,
      expected: `Unix seconds ≈ ${Math.floor(now)}`, observed: s.value, cite: s.cite, replay: ca.replay,
    });
  }
});

wsCheck({
  id: 'WS.9', level: 'SHOULD', title: 'the other member gets message.new with messageId, conversationId, senderId, contentType, content and sequence of the sent message',
  cites: [EXAMPLE_CITE.newMessage, messageCite('Notification', 'payload')],
}, async (args) => {
  const { a, groupId, ca, cb } = await groupOfTwo(args);
  const content = uniqueText(args.target.runId);
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', contentType: 'text', content, localId: newLocalId() });
  const f = await cb.waitFor((f) => f.data?.type === 'notification' && f.data.payload?.notificationType === 'message.new' && f.data.payload?.data?.messageId === ack.messageId, {
    what: `message.new for messageId ${ack.messageId}`, cite: EXAMPLE_CITE.newMessage,
  });
  const data = f.data.payload.data;
  const expected = { messageId: ack.messageId, conversationId: groupId, senderId: a.userId, contentType: 'text', content, sequence: ack.sequence };
  const wrong = Object.entries(expected).filter(([k, v]) => data[k] !== v);
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
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', content: 'ws13 no localId' });
  expectThat(ack.localId === undefined || ack.localId === '', {
    message: 'message.sent carries a localId although none was sent', expected: 'no localId (or "")', observed: ack, cite: ACK('localId'), replay: ca.replay,
  });
});

wsCheck({
  id: 'WS.15', level: 'MAY', title: 'a user connected from two devices gets message.new on both',
  cites: [messageCite('Notification'), EXAMPLE_CITE.newMessage],
}, async (args) => {
  const { b, groupId, ca, cb } = await groupOfTwo(args);
  const cb2 = await args.ws.connect(b, { deviceId: `dev2-${randomUUID().slice(0, 8)}`, label: 'B (2nd device)' });
  const ack = await ca.sendMessage({ conversationId: groupId, conversationType: 'group', content: 'ws15', localId: newLocalId() });
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
  const [a, b] = [await args.newUser(), await args.newUser()];
  await befriend(args.api, a, b);
  const ca = await args.ws.connect(a, { label: 'A' });
  const cb = await args.ws.connect(b, { label: 'B' });
  const ack1 = await ca.sendMessage({ conversationId: privateId(mode, a, b), conversationType: 'private', content: 'ws16 A→B', localId: newLocalId() });
  const n1 = await cb.waitFor(isNew(ack1.messageId), { what: `message.new ${ack1.messageId} for B (private, id convention "${mode}")` });
  const canonical = n1.data.payload.data.conversationId;
  expectThat(typeof canonical === 'string' && canonical.length > 0, {
    message: 'private message.new has no conversationId', expected: 'a conversation id', observed: n1.data.payload.data, cite: EXAMPLE_CITE.newMessage, replay: ca.replay,
  });
  expectThat(n1.data.payload.data.sequence === ack1.sequence, {
    message: 'private message.new sequence differs from the ack', expected: ack1.sequence, observed: n1.data.payload.data, cite: EXAMPLE_CITE.newMessage, replay: ca.replay,
  });
  const ack2 = await cb.sendMessage({ conversationId: privateId(mode, b, a), conversationType: 'private', content: 'ws16 B→A', localId: newLocalId() });
  const n2 = await ca.waitFor(isNew(ack2.messageId), { what: `message.new ${ack2.messageId} for A (reply)` });
  const d2 = n2.data.payload.data;
  expectThat(d2.conversationId === canonical, {
    message: 'the reply landed in a different conversation id than the first message', expected: canonical, observed: d2.conversationId, cite: EXAMPLE_CITE.newMessage, replay: cb.replay,
  });
  expectThat(ack2.sequence > ack1.sequence, {
    message: 'sequence did not increase within the private conversation', expected: `> ${ack1.sequence}`, observed: ack2.sequence, cite: ACK('sequence'), replay: cb.replay,
  });
});
