/**
 * The message write path on a file database (store/writer.ts: walWriter, a connection of its own, batches of sends
 * in one transaction each, acked after the WAL's fsync) against the real server over real sockets: concurrent senders and resent localIds
 * in one burst, then sequences, idempotency, fan-out order and sessions, then a restart on the same file.
 * (The in-thread path for :memory: is covered by server-messaging, ordering-suite and ws-reference; SIGKILL after
 * acks by durability.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../reference-server/server.js';

const TIMEOUT_MS = 15_000;
const PER_SENDER = 200;
const RESENT = 20;

async function rest(s: RunningServer, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${s.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json: any = await res.json();
  assert.equal(json.code, 0, `${method} ${path}: expected code 0, got ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

let n = 0;
function register(s: RunningServer): Promise<{ userId: string; accessToken: string }> {
  const tag = `${Date.now() % 1e6}${++n}`.padStart(9, '0').slice(-9);
  return rest(s, 'POST', '/auth/register', {
    phoneNumber: `13${tag}`, email: `writer${tag}@example.com`, password: 'Passw0rd123', verifyCode: '123456',
    deviceId: `writer-${n}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `writer${n}`,
  });
}

/** A socket that records every frame and can wait (with a timeout) until a predicate over them holds. */
async function open(s: RunningServer, token: string): Promise<{ ws: WebSocket; frames: any[]; until(what: string, ok: () => boolean): Promise<void> }> {
  const ws = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  let wake = () => undefined as void;
  ws.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)));
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ws open timeout')), TIMEOUT_MS);
    ws.once('open', () => { clearTimeout(timer); resolve(); });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
  const until = (what: string, ok: () => boolean) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; ${frames.length} frames`)), TIMEOUT_MS);
    wake = () => { if (ok()) { clearTimeout(timer); resolve(); } };
    wake();
  });
  return { ws, frames, until };
}

const send = (ws: WebSocket, groupId: string, localId: string) =>
  ws.send(JSON.stringify({ type: 'message.send', payload: { conversationId: groupId, conversationType: 'group', contentType: 'text', content: `text ${localId}`, localId } }));
const acksOf = (frames: any[]) => frames.filter((f) => f.type === 'message.sent').map((f) => f.payload);
const newOf = (frames: any[]) => frames.filter((f) => f.type === 'notification' && f.payload?.notificationType === 'message.new').map((f) => f.payload.data);

test('file DB: concurrent batched sends keep sequences gap-free, resends idempotent, fan-out in order, sessions exact; a restart continues the sequence', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'message-writer-test-'));
  const db = join(dir, 'anychat.db');
  let server = await startServer({ port: 0, grpcPort: -1, db, jwtSecret: 'message-writer-test' });
  try {
    const [a, b, c] = [await register(server), await register(server), await register(server)];
    const { groupId } = await rest(server, 'POST', '/groups', { name: 'writer', memberIds: [b.userId, c.userId] }, a.accessToken);
    const [sa, sb, sc] = [await open(server, a.accessToken), await open(server, b.accessToken), await open(server, c.accessToken)];

    // One burst: A and B interleaved, and A resends some of its localIds (some land in the same batch, some later).
    for (let i = 0; i < PER_SENDER; i++) {
      send(sa.ws, groupId, `a${i}`);
      send(sb.ws, groupId, `b${i}`);
      if (i % 10 === 9) send(sa.ws, groupId, `a${i - (i % 20 === 19 ? 0 : 5)}`);
    }
    await sa.until(`${PER_SENDER + RESENT} acks on A`, () => acksOf(sa.frames).length === PER_SENDER + RESENT);
    await sb.until(`${PER_SENDER} acks on B`, () => acksOf(sb.frames).length === PER_SENDER);
    await sc.until(`${2 * PER_SENDER} message.new on C`, () => newOf(sc.frames).length >= 2 * PER_SENDER);

    const acks = [...acksOf(sa.frames), ...acksOf(sb.frames)];
    const byLocal = new Map<string, any>();
    for (const ack of acks) {
      const first = byLocal.get(ack.localId);
      if (first) assert.deepEqual([ack.messageId, ack.sequence], [first.messageId, first.sequence], `resent ${ack.localId}: expected the stored message again, got another`);
      else byLocal.set(ack.localId, ack);
    }
    assert.equal(byLocal.size, 2 * PER_SENDER, 'distinct localIds acked');
    const seqs = [...byLocal.values()].map((x) => x.sequence).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 2 * PER_SENDER }, (_, i) => i + 1), 'sequences of distinct messages must be exactly 1..N');
    for (const [who, s] of [['A', sa], ['B', sb]] as const) {
      const mine = acksOf(s.frames).filter((x, i, all) => all.findIndex((y) => y.localId === x.localId) === i).map((x) => Number(x.localId.slice(1)));
      const order = [...byLocal.values()].filter((x) => x.localId[0] === who.toLowerCase()).sort((x, y) => Number(x.localId.slice(1)) - Number(y.localId.slice(1)));
      assert.deepEqual(order.map((x) => x.sequence), [...order.map((x) => x.sequence)].sort((x, y) => x - y), `${who}: sequences must follow send order`);
      assert.equal(mine.length, PER_SENDER);
    }
    assert.deepEqual(newOf(sc.frames).map((m) => m.sequence), seqs, 'C receives every message once, in sequence order');

    const sessionOf = (token: string) => rest(server, 'GET', `/sessions/${groupId}`, undefined, token);
    const last = [...byLocal.values()].find((x) => x.sequence === 2 * PER_SENDER);
    const sc1 = await sessionOf(c.accessToken);
    assert.deepEqual([sc1.unreadCount, sc1.lastMessageId], [2 * PER_SENDER, last.messageId], "C's session: every message unread, the last one last");
    assert.equal((await sessionOf(a.accessToken)).unreadCount, PER_SENDER, "A's session counts B's messages only");

    for (const s of [sa, sb, sc]) s.ws.close();
    await server.close();
    server = await startServer({ port: 0, grpcPort: -1, db, jwtSecret: 'message-writer-test' });
    const again = await open(server, a.accessToken);
    send(again.ws, groupId, 'after-restart');
    send(again.ws, groupId, 'a0');
    await again.until('2 acks after restart', () => acksOf(again.frames).length === 2);
    const [fresh, resent] = acksOf(again.frames);
    assert.equal(fresh.sequence, 2 * PER_SENDER + 1, 'after a restart the sequence continues from the stored one');
    assert.deepEqual([resent.messageId, resent.sequence], [byLocal.get('a0').messageId, byLocal.get('a0').sequence], 'a localId stored before the restart is still answered from the store');
    again.ws.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file DB, one send at a time (a commit each): checkpoints let the WAL start over, so it stays far below what the commits wrote', { timeout: 120_000 }, async () => {
  const SENDS = 3000;
  const dir = mkdtempSync(join(tmpdir(), 'message-writer-wal-'));
  const db = join(dir, 'anychat.db');
  const server = await startServer({ port: 0, grpcPort: -1, db, jwtSecret: 'message-writer-test' });
  try {
    const [a, b] = [await register(server), await register(server)];
    const { groupId } = await rest(server, 'POST', '/groups', { name: 'wal', memberIds: [b.userId] }, a.accessToken);
    const sa = await open(server, a.accessToken);
    for (let i = 0; i < SENDS; i++) {
      send(sa.ws, groupId, `w${i}`);
      await sa.until(`ack ${i + 1}`, () => acksOf(sa.frames).length === i + 1);
    }
    // Each commit appends at least two frames of 2 KiB + 24 (the message's table page and its index page): without the
    // WAL starting over it would hold at least SENDS × 4144 bytes (12 MB here).
    const wal = statSync(`${db}-wal`).size;
    assert.ok(wal < (SENDS * 4144) / 2, `WAL file: expected under ${(SENDS * 4144) / 2} bytes (it starts over after checkpoints), got ${wal}`);
    const last = acksOf(sa.frames).at(-1);
    assert.equal(last.sequence, SENDS, 'the last send is acked with sequence SENDS');
    const session = await rest(server, 'GET', `/sessions/${groupId}`, undefined, a.accessToken);
    assert.equal(session.lastMessageId, last.messageId, "the sender's session points at the last message");
    sa.ws.close();
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
