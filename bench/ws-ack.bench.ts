/**
 * WebSocket ack throughput and latency of the reference server (file DB, WAL: every ack follows the fsync of the
 * commit that holds its message) against a bare `ws` echo server measured in the same run with the same client load.
 *
 *   npx tsx bench/ws-ack.bench.ts     # env: BENCH_SECONDS (5), BENCH_CONNECTIONS (4), BENCH_WINDOW (32), BENCH_FANOUT (0),
 *                                     #      BENCH_DB (memory = no fsync, for comparison only),
 *                                     #      BENCH_SERVER_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof')
 *
 * Both servers run as child processes (the client load stays out of their event loop). Each connection keeps WINDOW
 * message.send frames in flight; latency = time from send to the matching ack (message.sent / echoed frame, matched by
 * localId). Each sender is alone online in its own group unless BENCH_FANOUT=1 (all senders in one group: every
 * message is also delivered to the other senders' sockets). Target: reference/echo throughput ratio ≥ 0.5.
 *
 * Each line also gives the server's CPU time per ack while measuring (all threads, and the event-loop thread alone,
 * from /proc) and this client's: on a shared machine the rates swing with the neighbours' load, the CPU cost per ack
 * much less. Client and server share the machine's cores, so a server's rate is bounded by both costs together.
 *
 * Then the latency target (issue 16: ack p99 ≤ 10 ms at half the reference server's rate): the same server and sockets
 * are driven open-model — frames sent on a fixed schedule at half the closed-loop rate just measured, whatever the
 * acks do — and each latency is taken from the frame's scheduled time, so a stalled server is not hidden by a
 * stalled sender (no coordinated omission).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { packageRoot } from '../contracts/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 32);
const FANOUT = process.env.BENCH_FANOUT === '1';
/** BENCH_DB=memory: SQLite :memory: instead of a durable file — shows what the fsyncs cost, not a valid target figure. */
const MEMORY_DB = process.env.BENCH_DB === 'memory';
const TIMEOUT_MS = 15_000;
/** Open-model rates as fractions of the closed-loop rate; the target is judged at 0.5. */
const OPEN_FRACTIONS = (process.env.BENCH_OPEN_FRACTIONS ?? '0.5').split(',').map(Number);
/** Starting the server (contracts compiled, TypeScript loaded) takes seconds, far more on a busy shared machine. */
const START_TIMEOUT_MS = 90_000;

interface Result { name: string; acked: number; seconds: number; perSec: number; p50: number; p99: number; cpu: CpuUse; clientMs: number }

/** CPU the server process used while measuring: all its threads, its main (event-loop) thread, and per other thread. */
interface CpuUse { totalMs: number; mainMs: number; threads: Map<string, number> }

/** utime+stime in ms of process `pid` (all threads) and of its main thread, from /proc (Linux; zeros elsewhere). */
function cpuMs(pid: number): CpuUse {
  const read = (path: string) => {
    try {
      const f = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  };
  const threads = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) if (tid !== String(pid)) threads.set(tid, read(`/proc/${pid}/task/${tid}/stat`));
  } catch {
    // not Linux
  }
  return { totalMs: read(`/proc/${pid}/stat`), mainMs: read(`/proc/${pid}/task/${pid}/stat`), threads };
}
const CLOCK_TICKS = 100;

/** Spawn a child that prints one JSON line with its address; resolve with the parsed line. */
async function child(args: string[]): Promise<{ proc: ChildProcess; addr: any }> {
  const proc = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no address line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    createInterface({ input: proc.stdout! }).once('line', (l) => { clearTimeout(timer); resolve(l); });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { proc, addr: JSON.parse(line) };
}

const ECHO_SERVER = `
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => console.log(JSON.stringify({ ws: 'ws://127.0.0.1:' + wss.address().port })));
wss.on('connection', (s) => s.on('message', (d) => s.send(d)));
`;

async function rest(base: string, method: string, path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json: any = await res.json();
  if (json.code !== 0) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

let userSeq = 0;
async function register(base: string): Promise<{ userId: string; accessToken: string }> {
  const tag = `${Date.now() % 1e6}${++userSeq}`.padStart(9, '0').slice(-9);
  return rest(base, 'POST', '/auth/register', {
    phoneNumber: `13${tag}`, email: `bench${tag}@example.com`, password: 'Passw0rd123', verifyCode: '123456',
    deviceId: `bench-${userSeq}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `bench${userSeq}`,
  });
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`ws open timeout: ${url}`)), TIMEOUT_MS);
    ws.once('open', () => { clearTimeout(timer); resolve(ws); });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

type Socket = { ws: WebSocket; conversationId: string };

/** Send message.send number `k` (localId `b<k>`) on `s`. */
function sendFrame(s: Socket, k: number, content: string): void {
  s.ws.send(JSON.stringify({ type: 'message.send', payload: { conversationId: s.conversationId, conversationType: 'group', contentType: 'text', content, localId: `b${k}` } }));
}

/** Frames are numbered across the whole run, so no localId is ever sent twice to the same conversation (a resend is a duplicate). */
let frameNo = 0;

/**
 * Frames in flight, by number: when each was sent. Typed arrays rather than a Map of strings, so the client makes
 * little garbage of its own and its GC pauses do not show up as server latency.
 */
class InFlight {
  private sentAt = new Float64Array(1 << 16).fill(NaN);
  size = 0;
  add(k: number, t: number): void {
    if (k >= this.sentAt.length) {
      const grown = new Float64Array(Math.max(k + 1, this.sentAt.length * 2)).fill(NaN);
      grown.set(this.sentAt);
      this.sentAt = grown;
    }
    this.sentAt[k] = t;
    this.size++;
  }
  /** The send time of `k` if it was in flight (it is not any more), else NaN. */
  take(k: number): number {
    const t = k >= 0 && k < this.sentAt.length ? this.sentAt[k]! : NaN;
    if (!Number.isNaN(t)) {
      this.sentAt[k] = NaN;
      this.size--;
    }
    return t;
  }
}

/** Call `onAck(k, sentAt, socket)` for every ack (localId `b<k>`) of a frame in flight, removing it. */
function listenForAcks(sockets: Socket[], ackOf: (frame: any) => string | undefined, inFlight: InFlight, onAck: (k: number, sentAt: number, s: Socket) => void): void {
  for (const s of sockets) {
    s.ws.on('message', (raw) => {
      const localId = ackOf(JSON.parse(String(raw)));
      const k = typeof localId === 'string' && localId.startsWith('b') ? Number(localId.slice(1)) : NaN;
      const sentAt = inFlight.take(k);
      if (!Number.isNaN(sentAt)) onAck(k, sentAt, s);
    });
  }
}

/** Wait (TIMEOUT_MS at most) until every frame in flight is acked; then stop listening. */
async function drained(name: string, sockets: Socket[], inFlight: InFlight): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (inFlight.size > 0) throw new Error(`${name}: ${inFlight.size} frames never acked`);
  for (const s of sockets) s.ws.removeAllListeners('message');
}

/** The p-th percentile of ascending `xs`. */
const percentile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

/** Drive `sockets` with WINDOW frames in flight each for WARMUP + SECONDS; count and time the acks after warm-up. */
async function drive(name: string, pid: number, sockets: Socket[], ackOf: (frame: any) => string | undefined): Promise<Result> {
  const latencies: number[] = [];
  let acked = 0;
  let measuring = false;
  let stopping = false;
  const inflight = new InFlight();
  const sendOne = (s: Socket) => {
    const k = ++frameNo;
    inflight.add(k, performance.now());
    sendFrame(s, k, `bench message ${k}`);
  };
  listenForAcks(sockets, ackOf, inflight, (_k, t0, s) => {
    if (measuring) {
      latencies.push(performance.now() - t0);
      acked++;
    }
    if (!stopping) sendOne(s);
  });
  for (const s of sockets) for (let i = 0; i < WINDOW; i++) sendOne(s);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  measuring = true;
  const cpu0 = cpuMs(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const cpu1 = cpuMs(pid);
  const client = process.cpuUsage(client0);
  stopping = true;
  const seconds = (performance.now() - t0) / 1000;
  await drained(name, sockets, inflight);
  latencies.sort((a, b) => a - b);
  const threads = new Map([...cpu1.threads].map(([tid, ms]) => [tid, ms - (cpu0.threads.get(tid) ?? 0)]));
  const cpu = { totalMs: cpu1.totalMs - cpu0.totalMs, mainMs: cpu1.mainMs - cpu0.mainMs, threads };
  return { name, acked, seconds, perSec: acked / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu, clientMs: (client.user + client.system) / 1000 };
}

/**
 * Open model: `rate` frames per second in total, sent on schedule round-robin over `sockets` for SECONDS (after a
 * 1 s warm-up at the same rate); latency = ack time − scheduled send time.
 */
async function driveOpen(name: string, sockets: Socket[], rate: number, ackOf: (frame: any) => string | undefined): Promise<{ name: string; rate: number; acked: number; p50: number; p99: number; max: number; lateMs: number; p99FromSend: number }> {
  const latencies: number[] = [];
  const fromSend: number[] = [];
  const inflight = new InFlight();
  const start = performance.now();
  const interval = 1000 / rate;
  const measureFrom = start + WARMUP_SECONDS * 1000;
  const measureTo = measureFrom + SECONDS * 1000;
  const first = frameNo + 1; // frame first + i is due at start + i × interval
  listenForAcks(sockets, ackOf, inflight, (k, sentAt) => {
    const now = performance.now();
    const due = start + (k - first) * interval;
    if (due >= measureFrom && due < measureTo) {
      latencies.push(now - due);
      fromSend.push(now - sentAt);
    }
  });
  let i = 0;
  let lateMs = 0; // how far behind schedule the sender itself fell, at worst
  while (start + i * interval < measureTo) {
    const now = performance.now();
    for (; start + i * interval <= now && start + i * interval < measureTo; i++) {
      lateMs = Math.max(lateMs, now - (start + i * interval));
      const k = ++frameNo;
      inflight.add(k, performance.now());
      sendFrame(sockets[i % sockets.length]!, k, `open message ${k}`);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await drained(name, sockets, inflight);
  latencies.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  return { name, rate, acked: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN, lateMs, p99FromSend: percentile(fromSend, 99) };
}

/** The echo server, its closed-loop result, and a way to drive it open-model later (at the reference server's rates). */
async function benchEcho(): Promise<{ closed: Result; openAt(rate: number): ReturnType<typeof driveOpen>; stop(): void }> {
  const { proc, addr } = await child(['-e', ECHO_SERVER]);
  try {
    const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, async () => ({ ws: await open(addr.ws), conversationId: 'echo' })));
    const ackOf = (f: any) => (f.type === 'message.send' ? f.payload.localId : undefined);
    const closed = await drive('bare ws echo', proc.pid!, sockets, ackOf);
    return {
      closed,
      openAt: (rate) => driveOpen('bare ws echo, open model', sockets, rate, ackOf),
      stop: () => {
        for (const s of sockets) s.ws.close();
        proc.kill('SIGTERM');
      },
    };
  } catch (e) {
    proc.kill('SIGTERM');
    throw e;
  }
}

async function benchReference(): Promise<{ closed: Result; open: Array<Awaited<ReturnType<typeof driveOpen>> & { fraction: number }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ws-ack-bench-'));
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. '--cpu-prof'
  const { proc, addr } = await child([...nodeArgs, join(packageRoot, 'bin', 'anychat-conform.js'), 'serve', '--port', '0', '--grpc-port', '-1', '--db', MEMORY_DB ? ':memory:' : join(dir, 'bench.db')]);
  try {
    const senders = await Promise.all(Array.from({ length: CONNECTIONS }, () => register(addr.http)));
    const offline = await register(addr.http);
    const sockets = [];
    let shared: string | undefined;
    for (const u of senders) {
      const members = FANOUT ? senders.filter((x) => x !== u).map((x) => x.userId) : [offline.userId];
      const groupId = FANOUT ? (shared ??= (await rest(addr.http, 'POST', '/groups', { name: 'bench', memberIds: members }, u.accessToken)).groupId)
        : (await rest(addr.http, 'POST', '/groups', { name: 'bench', memberIds: members }, u.accessToken)).groupId;
      sockets.push({ ws: await open(`${addr.ws}?token=${u.accessToken}`), conversationId: groupId });
    }
    const ackOf = (f: any) => (f.type === 'message.sent' ? f.payload.localId : undefined);
    const name = MEMORY_DB ? 'reference server (:memory:)' : 'reference server (durable)';
    const closed = await drive(name, proc.pid!, sockets, ackOf);
    const openRuns = [];
    for (const f of OPEN_FRACTIONS) openRuns.push({ ...(await driveOpen(`${name}, open model`, sockets, Math.max(1, Math.round(closed.perSec * f)), ackOf)), fraction: f });
    for (const s of sockets) s.ws.close();
    return { closed, open: openRuns };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (r: Result) =>
  `${r.name.padEnd(28)} ${r.perSec.toFixed(0).padStart(8)} acks/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.acked} in ${r.seconds.toFixed(1)} s)` +
  `   server CPU ${perAck(r.cpu.totalMs, r.acked)} µs/ack (event loop ${perAck(r.cpu.mainMs, r.acked)}; busiest other threads ` +
  `${[...r.cpu.threads.values()].sort((a, b) => b - a).slice(0, 3).map((ms) => perAck(ms, r.acked)).join(', ')}); this client ${perAck(r.clientMs, r.acked)} µs/ack`;
const perAck = (ms: number, n: number) => (n > 0 ? ((ms * 1000) / n).toFixed(1) : 'n/a');

console.log(`ws-ack bench: ${CONNECTIONS} connections × ${WINDOW} in flight, ${SECONDS} s (+${WARMUP_SECONDS} s warm-up)${FANOUT ? ', all senders in one group' : ''}`);
const echo = await benchEcho();
try {
  console.log(fmt(echo.closed));
  const { closed: ref, open: openRuns } = await benchReference();
  console.log(fmt(ref));
  const ratio = ref.perSec / echo.closed.perSec;
  console.log(`throughput ratio reference/echo = ${ratio.toFixed(2)} (target ≥ 0.5) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}`);
  // The same open-model load on the echo server: what this client and loopback add to any server's p99 at that rate.
  const line = (o: Awaited<ReturnType<typeof driveOpen>>, what: string) =>
    `${o.name.padEnd(34)} at ${o.rate} msgs/s (${what}): p50 ${o.p50.toFixed(2)} ms   p99 ${o.p99.toFixed(2)} ms   max ${o.max.toFixed(2)} ms   (${o.acked} acks; sender at most ${o.lateMs.toFixed(1)} ms behind schedule; p99 from the actual send ${o.p99FromSend.toFixed(2)} ms)`;
  for (const o of openRuns) {
    console.log(line(o, `${o.fraction} × the closed-loop rate`));
    console.log(line(await echo.openAt(o.rate), 'baseline: same rate, same client'));
  }
  const half = openRuns.find((o) => o.fraction === 0.5);
  if (half) console.log(`ack p99 at half rate = ${half.p99.toFixed(2)} ms (target ≤ 10 ms) ${half.p99 <= 10 ? 'MET' : 'NOT MET'}`);
} finally {
  echo.stop();
}
