/**
 * What the fault checks on the message hot path cost when every fault is off: how many `ctx.faults.on(id)` calls
 * one acked group message makes (counted on the real server, in-process on :memory:, over a real WebSocket), times the
 * cost of one call, against the server's whole cost per message measured in the same run.
 *
 *   npx tsx bench/fault-check.bench.ts     # env: BENCH_MESSAGES (2000), BENCH_GROUP (10 members, 2 online)
 *
 * Baseline in the same run: the CPU time per acked message of this process (server and its WebSocket client together,
 * one sender, 32 in flight) — an upper bound of the server's own cost, so the share printed is a lower bound; compare
 * with the event-loop CPU per ack that bench/ws-ack.bench.ts prints for the server alone.
 */
import WebSocket from 'ws';
import { Faults } from '../reference-server/faults.js';
import { startServer } from '../reference-server/server.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const GROUP = Number(process.env.BENCH_GROUP ?? 10);
const WINDOW = 32;

// 1. One call, all faults off (as served): a Set lookup of a constant string.
const faults = new Faults([]);
const ids = ['ord.sequence-reuse', 'ord.localid-not-idempotent', 'ord.sequence-gaps', 'ord.drop-one-member', 'load.drop-1pct'];
let sink = 0;
const CALLS = 5_000_000;
for (let i = 0; i < CALLS; i++) sink += faults.on(ids[i % ids.length]!) ? 1 : 0; // warm-up
let t0 = process.hrtime.bigint();
for (let i = 0; i < CALLS; i++) sink += faults.on(ids[i % ids.length]!) ? 1 : 0;
const loopNs = Number(process.hrtime.bigint() - t0) / CALLS;
t0 = process.hrtime.bigint();
for (let i = 0; i < CALLS; i++) sink += ids[i % ids.length]!.length === 0 ? 1 : 0; // the same loop without the check
const emptyNs = Number(process.hrtime.bigint() - t0) / CALLS;
const perCallNs = Math.max(0, loopNs - emptyNs);

// 2. Calls per acked message on the real server, and the wall time per message of that run.
const server = await startServer({ port: 0, grpcPort: -1, db: ':memory:' });
let calls = 0;
const on = server.ctx.faults.on.bind(server.ctx.faults);
server.ctx.faults.on = (id: string) => (calls++, on(id));
try {
  const api = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return ((await res.json()) as any).data;
  };
  const users = [];
  for (let i = 0; i < GROUP; i++) {
    const tag = `${Date.now() % 1e6}${i}`.padStart(9, '0').slice(-9);
    users.push(await api('/auth/register', { phoneNumber: `13${tag}`, email: `fc${tag}@example.com`, password: 'Passw0rd123', verifyCode: '123456', deviceId: `fc-${i}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `fc${i}` }));
  }
  const { groupId } = await api('/groups', { name: 'fault-check', memberIds: users.slice(1).map((u) => u.userId) }, users[0].accessToken);
  const open = (token: string) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}?token=${token}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const sender = await open(users[0].accessToken);
  const peer = await open(users[1].accessToken); // one recipient online: every message is also delivered once
  let sent = 0;
  let acked = 0;
  const sendOne = () => sender.send(JSON.stringify({ type: 'message.send', payload: { conversationId: groupId, conversationType: 'group', contentType: 'text', content: `m${sent}`, localId: `l${sent++}` } }));
  const cpu0 = process.cpuUsage();
  const callsBefore = calls;
  await new Promise<void>((resolve) => {
    sender.on('message', (raw) => {
      if (JSON.parse(String(raw)).type !== 'message.sent') return;
      if (++acked === MESSAGES) resolve();
      else if (sent < MESSAGES) sendOne();
    });
    for (let i = 0; i < WINDOW; i++) sendOne();
  });
  const cpu = process.cpuUsage(cpu0);
  const perMessageUs = (cpu.user + cpu.system) / MESSAGES;
  const perMessageCalls = (calls - callsBefore) / MESSAGES;
  sender.close();
  peer.close();
  const costNs = perMessageCalls * perCallNs;
  console.log(`faults.on (all off): ${perCallNs.toFixed(1)} ns per call (loop ${loopNs.toFixed(1)} ns − empty loop ${emptyNs.toFixed(1)} ns)`);
  console.log(`hot path: ${perMessageCalls.toFixed(1)} checks per acked group message (${GROUP} members, 1 other online)`);
  console.log(`cost: ${costNs.toFixed(0)} ns per message against ${perMessageUs.toFixed(1)} µs CPU per message for send → store → ack → delivery (server and client, same run) = ${((100 * costNs) / (perMessageUs * 1000)).toFixed(2)} %`);
} finally {
  await server.close();
}
if (sink < 0) console.log(sink);
