/**
 * The ordering properties as pure judgements of a RunLog (fixtures/ordering/oracles.ts): each one passes on a log of
 * correct behaviour and fails, naming what went wrong, on a log showing its violation. No server needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogEvent, RunLog, WireMessage } from '../fixtures/ordering/log.js';
import { Facts, missingDeliveries, ORACLES, type PropertyId } from '../fixtures/ordering/oracles.js';
import { formatReplay, parseReplay, replayCommand } from '../fixtures/ordering/runner.js';
import { targetFromEnv } from '../fixtures/target.js';
import { formatTimeline } from '../fixtures/ordering/timeline.js';
import { parseConversations, timeSec, wireMessage } from '../fixtures/ordering/driver.js';

/** A world of U0 (2 devices), U1, U2 in group G0 (id g0) and U3 outside it; every device online (sockets 1..5). */
class LogBuilder {
  readonly log: RunLog = {
    users: [
      { label: 'U0', userId: 'u0', devices: ['U0.d0', 'U0.d1'] },
      { label: 'U1', userId: 'u1', devices: ['U1.d0'] },
      { label: 'U2', userId: 'u2', devices: ['U2.d0'] },
      { label: 'U3', userId: 'u3', devices: ['U3.d0'] },
    ],
    convs: [{ key: 'G0', kind: 'group', id: 'g0', aliases: ['g0'], users: [0, 1, 2], owner: 0, initialMembers: [0, 1, 2], baseline: 0 }],
    events: [],
    steps: 0,
    grpc: false,
    history: [['g0'], ['g0'], ['g0'], []],
  };
  private n = 0;
  private sends = 0;
  readonly socket: Record<string, number> = {};

  constructor() {
    for (const [i, dev] of ['U0.d0', 'U0.d1', 'U1.d0', 'U2.d0', 'U3.d0'].entries()) {
      this.socket[dev] = i + 1;
      this.add({ k: 'online', dev, socket: i + 1 });
    }
  }

  add(e: Record<string, unknown>): LogEvent {
    const ev = { n: this.n, at: 1000 + this.n, step: this.log.steps, ...e } as unknown as LogEvent;
    this.n++;
    this.log.events.push(ev);
    return ev;
  }

  step(label = 'step'): this {
    this.log.steps++;
    this.add({ k: 'step', label });
    return this;
  }

  /** A send and its ack; returns the send index. */
  send(dev: string, seq: number | undefined, opts: { id?: string; localId?: string; of?: number; content?: string; ts?: number; noAck?: boolean } = {}): number {
    const idx = this.sends++;
    const user = Number(dev[1]);
    const content = opts.content ?? (opts.of !== undefined ? (this.log.events.find((e) => e.k === 'send' && e.idx === opts.of) as any).content : `c${idx}`);
    this.add({ k: 'send', idx, dev, socket: this.socket[dev], user, conv: 'G0', localId: opts.localId, content, of: opts.of });
    if (!opts.noAck) this.add({ k: 'ack', send: idx, socket: this.socket[dev], frame: idx, messageId: opts.id ?? `m${idx}`, sequence: seq, timestamp: opts.ts ?? 100 });
    return idx;
  }

  recv(dev: string, msg: WireMessage, conv: string | null = 'G0', notifTimeSec = 100): this {
    this.add({ k: 'recv', dev, user: Number(dev[1]), socket: this.socket[dev], frame: 0, conv, msg, notifTimeSec });
    return this;
  }

  /** Deliver message `m<idx>` (seq) to every online member device but the sender's socket. */
  fanout(idx: number, seq: number, except: string, to = ['U0.d0', 'U0.d1', 'U1.d0', 'U2.d0']): this {
    for (const dev of to) if (dev !== except) this.recv(dev, { messageId: `m${idx}`, conversationId: 'g0', sequence: seq, content: `c${idx}`, senderId: `u${except[1]}` });
    return this;
  }

  offline(dev: string): this {
    this.add({ k: 'offline', dev, socket: this.socket[dev] });
    return this;
  }

  history(seqs: number[], via: 'POST /sync/messages' | 'MessageService/GetMessages' = 'POST /sync/messages'): this {
    this.add({ k: 'sync', user: 0, via, purpose: 'history', asked: [{ conv: 'G0', lastSeq: 0 }], got: [{ conv: 'G0', conversationId: 'g0', messages: seqs.map((s) => ({ messageId: `m${s - 1}`, sequence: s, content: `c${s - 1}` })) }], pages: 1 });
    return this;
  }
}

function check(id: PropertyId, log: RunLog): string[] {
  return ORACLES[id](new Facts(log)).map((v) => v.message);
}

/** Two messages from U0.d0 delivered correctly: the clean baseline every property accepts. */
function clean(): LogBuilder {
  const b = new LogBuilder();
  b.step();
  b.fanout(b.send('U0.d0', 1), 1, 'U0.d0');
  b.step();
  b.fanout(b.send('U0.d0', 2), 2, 'U0.d0');
  return b.history([1, 2]);
}

test('a correct run satisfies every property', () => {
  const log = clean().log;
  for (const id of Object.keys(ORACLES) as PropertyId[]) assert.deepEqual(check(id, log), [], id);
  assert.deepEqual(missingDeliveries(log), []);
});

test('ORD.P1: a reused sequence, a sequence that goes back, or no sequence fail', () => {
  const reuse = new LogBuilder();
  reuse.send('U0.d0', 1);
  reuse.send('U1.d0', 1);
  assert.match(check('ORD.P1', reuse.log).join('\n'), /sequence 1 was acked for 2 different messages/);

  const back = new LogBuilder();
  back.send('U0.d0', 5);
  back.send('U1.d0', 3);
  assert.match(check('ORD.P1', back.log).join('\n'), /sent after m0 was acked with sequence 5, yet got sequence 3/);

  const none = new LogBuilder();
  none.send('U0.d0', undefined);
  assert.match(check('ORD.P1', none.log).join('\n'), /no positive integer sequence/);
});

test('ORD.P1-GAPFREE: a hole fails unless the history shows the message in it', () => {
  const b = new LogBuilder();
  b.send('U0.d0', 1);
  b.send('U0.d0', 3);
  assert.match(check('ORD.P1-GAPFREE', b.log).join('\n'), /sequence\(s\) 2 are missing/);
  b.add({ k: 'sync', user: 0, via: 'POST /sync/messages', purpose: 'history', asked: [{ conv: 'G0', lastSeq: 0 }], got: [{ conv: 'G0', conversationId: 'g0', messages: [{ sequence: 1 }, { sequence: 2, messageId: 'sys' }, { sequence: 3 }] }], pages: 1 });
  assert.deepEqual(check('ORD.P1-GAPFREE', b.log), []);
});

test('ORD.P2: a lost, duplicated or out-of-order delivery fails; offline devices and non-members are not expected', () => {
  const lost = new LogBuilder();
  lost.fanout(lost.send('U0.d0', 1), 1, 'U0.d0', ['U0.d1', 'U1.d0']);
  assert.match(check('ORD.P2', lost.log).join('\n'), /U2\.d0 \(online, U2 a member of G0\) never received/);
  assert.equal(missingDeliveries(lost.log).length, 1);

  const dup = clean();
  dup.recv('U1.d0', { messageId: 'm0', sequence: 1, conversationId: 'g0', content: 'c0' });
  assert.match(check('ORD.P2', dup.log).join('\n'), /U1\.d0 received message\.new for G0 seq 1 .* 2 times/);

  const order = new LogBuilder();
  const a = order.send('U0.d0', 1);
  const b = order.send('U0.d0', 2);
  order.fanout(b, 2, 'U0.d0').fanout(a, 1, 'U0.d0');
  assert.match(check('ORD.P2', order.log).join('\n'), /received G0 seq 1 after seq 2/);

  const offline = new LogBuilder();
  offline.offline('U2.d0');
  offline.fanout(offline.send('U0.d0', 1), 1, 'U0.d0', ['U0.d1', 'U1.d0']);
  assert.deepEqual(check('ORD.P2', offline.log), [], 'an offline device is not expected to receive');

  const spurious = clean();
  spurious.recv('U1.d0', { messageId: 'mX', sequence: 9, conversationId: 'g0', content: 'never sent' });
  assert.match(check('ORD.P2', spurious.log).join('\n'), /matches no message sent/);
});

test('ORD.P3: observers disagreeing with the ack or the history fail', () => {
  const wrongSeq = new LogBuilder();
  const i = wrongSeq.send('U0.d0', 1);
  wrongSeq.fanout(i, 1, 'U0.d0', ['U0.d1', 'U1.d0']);
  wrongSeq.recv('U2.d0', { messageId: `m${i}`, sequence: 7, conversationId: 'g0', content: `c${i}` });
  assert.match(check('ORD.P3', wrongSeq.log).join('\n'), /sequence 7 ≠ acked 1/);

  const hist = new LogBuilder();
  hist.fanout(hist.send('U0.d0', 1), 1, 'U0.d0');
  hist.fanout(hist.send('U0.d0', 2), 2, 'U0.d0');
  hist.add({ k: 'sync', user: 0, via: 'POST /sync/messages', purpose: 'history', asked: [{ conv: 'G0', lastSeq: 0 }], got: [{ conv: 'G0', conversationId: 'g0', messages: [{ messageId: 'm1', sequence: 2 }, { messageId: 'm0', sequence: 1 }] }], pages: 1 });
  assert.match(check('ORD.P3', hist.log).join('\n'), /lists seq 1 after seq 2/);

  const lacks = clean();
  lacks.history([1]);
  assert.match(check('ORD.P3', lacks.log).join('\n'), /lacks acked message\(s\) seq 2/);

  const grpc = clean();
  grpc.log.grpc = true;
  grpc.add({ k: 'sync', user: 0, via: 'MessageService/GetMessages', purpose: 'history', asked: [{ conv: 'G0', lastSeq: 0 }], got: [{ conv: 'G0', conversationId: 'g0', messages: [{ messageId: 'm1', sequence: 2 }, { messageId: 'm0', sequence: 1 }] }], pages: 1 });
  assert.match(check('ORD.P3', grpc.log).join('\n'), /MessageService\/GetMessages lists seq 1 after seq 2/);
});

test('ORD.P4: a resend answered as a new message, or not answered, fails', () => {
  const b = new LogBuilder();
  const orig = b.send('U0.d0', 1, { localId: 'L1' });
  b.send('U0.d0', 1, { localId: 'L1', of: orig, id: 'm0' });
  assert.deepEqual(check('ORD.P4', b.log), [], 'same messageId and sequence is idempotent');

  const twice = new LogBuilder();
  const o2 = twice.send('U0.d0', 1, { localId: 'L1' });
  twice.send('U0.d0', 2, { localId: 'L1', of: o2, id: 'other' });
  assert.match(check('ORD.P4', twice.log).join('\n'), /acked as 2 different messages/);

  const silent = new LogBuilder();
  const o3 = silent.send('U0.d0', 1, { localId: 'L1' });
  silent.send('U0.d0', undefined, { localId: 'L1', of: o3, noAck: true });
  assert.match(check('ORD.P4', silent.log).join('\n'), /got no message\.sent/);
});

test('ORD.P5: catch-up must return exactly the messages after lastSeq, ascending', () => {
  const base = () => {
    const b = new LogBuilder();
    b.send('U0.d0', 1);
    b.send('U0.d0', 2);
    b.send('U0.d0', 3);
    return b;
  };
  const sync = (b: LogBuilder, seqs: number[]) => b.add({ k: 'sync', user: 1, dev: 'U1.d0', via: 'POST /sync/messages', purpose: 'catch-up', asked: [{ conv: 'G0', lastSeq: 1 }], got: [{ conv: 'G0', conversationId: 'g0', messages: seqs.map((s) => ({ messageId: `m${s - 1}`, sequence: s })) }], pages: 1 });
  const ok = base();
  sync(ok, [2, 3]);
  assert.deepEqual(check('ORD.P5', ok.log), []);
  const offByOne = base();
  sync(offByOne, [1, 2, 3]);
  assert.match(check('ORD.P5', offByOne.log).join('\n'), /returned seq 1 at or below lastSeq 1/);
  const missing = base();
  sync(missing, [2]);
  assert.match(check('ORD.P5', missing.log).join('\n'), /not returned: seq 3/);
  const unordered = base();
  sync(unordered, [3, 2]);
  assert.match(check('ORD.P5', unordered.log).join('\n'), /not strictly ascending/);
});

test('ORD.P6: delivery to a non-member (never one, or after leaving) fails; to a member who joined before does not', () => {
  const leak = clean();
  leak.recv('U3.d0', { messageId: 'm0', sequence: 1, conversationId: 'g0', content: 'c0' });
  assert.match(check('ORD.P6', leak.log).join('\n'), /U3\.d0 received .* although U3 was not a member of G0/);

  const left = new LogBuilder();
  left.add({ k: 'member', user: 2, conv: 'G0', joined: false });
  left.fanout(left.send('U0.d0', 1), 1, 'U0.d0');
  assert.match(check('ORD.P6', left.log).join('\n'), /U2\.d0 received/);

  const joined = new LogBuilder();
  joined.add({ k: 'member', user: 3, conv: 'G0', joined: true });
  joined.fanout(joined.send('U0.d0', 1), 1, 'U0.d0', ['U0.d1', 'U1.d0', 'U2.d0', 'U3.d0']);
  assert.deepEqual(check('ORD.P6', joined.log), []);

  const foreign = clean();
  foreign.recv('U3.d0', { messageId: 'zz', conversationId: 'g-elsewhere', sequence: 1 }, null);
  assert.match(check('ORD.P6', foreign.log).join('\n'), /conversation g-elsewhere, which U3 never belonged to/);
});

test('ORD.P7: unread counts must equal messages from others since the last read, and add up to the total', () => {
  const b = new LogBuilder();
  b.add({ k: 'unread', user: 1, perConv: { G0: null }, total: 4, baseline: true });
  b.send('U0.d0', 1);
  b.send('U0.d0', 2);
  b.send('U1.d0', 3);
  b.add({ k: 'unread', user: 1, perConv: { G0: 2 }, total: 6, baseline: false });
  assert.deepEqual(check('ORD.P7', b.log), []);
  b.add({ k: 'read', user: 1, conv: 'G0', sessionId: 'g0' });
  b.add({ k: 'unread', user: 1, perConv: { G0: 1 }, total: 5, baseline: false });
  assert.match(check('ORD.P7', b.log).join('\n'), /U1's unread count for G0 is 1, expected 0/);

  const total = new LogBuilder();
  total.add({ k: 'unread', user: 1, perConv: { G0: null }, total: 4, baseline: true });
  total.send('U0.d0', 1);
  total.add({ k: 'unread', user: 1, perConv: { G0: 1 }, total: 9, baseline: false });
  assert.match(check('ORD.P7', total.log).join('\n'), /unread\/total is 9, expected 5/);
});

test('ORD.P8: a timestamp that goes back in sequence order fails', () => {
  const b = new LogBuilder();
  b.send('U0.d0', 1, { ts: 200 });
  b.send('U0.d0', 2, { ts: 150 });
  assert.match(check('ORD.P8', b.log).join('\n'), /G0 message\.sent: seq 2 has timestamp 150 before seq 1's 200/);
});

test('replay argument round-trips; the timeline marks the violating events', () => {
  const spec = { check: 'ORD.P2', path: '3:1:0', replayPath: 'AB:c/+' };
  assert.deepEqual(parseReplay(formatReplay(spec)), spec);
  assert.deepEqual(parseReplay('7:0'), { path: '7:0', replayPath: undefined });
  const lost = new LogBuilder();
  lost.step('send');
  lost.fanout(lost.send('U0.d0', 1), 1, 'U0.d0', ['U0.d1', 'U1.d0']);
  const v = ORACLES['ORD.P2'](new Facts(lost.log));
  const text = formatTimeline(lost.log, v);
  assert.match(text, /step 1: send/);
  assert.match(text, /✗ .*→ U0\.d0 message\.send #0 to G0/);
});

test('ORD.P3: an unreadable gRPC history fails rather than passing unchecked', () => {
  const b = clean();
  b.log.grpc = true;
  b.add({ k: 'sync', user: 0, via: 'MessageService/GetMessages', purpose: 'history', asked: [{ conv: 'G0', lastSeq: 0 }], got: [{ conv: 'G0', conversationId: 'g0', messages: [] }], pages: 1, error: 'UNIMPLEMENTED' });
  assert.match(check('ORD.P3', b.log).join('\n'), /MessageService\/GetMessages could not be read \(UNIMPLEMENTED\)/);
});

test('wire parsing: camelCase or snake_case messages, every time spelling, flat or per-conversation sync data', () => {
  assert.equal(timeSec(1708329600), 1708329600);
  assert.equal(timeSec(1708329600123), 1708329600.123);
  assert.equal(timeSec('2024-02-19T08:00:00Z'), 1708329600);
  assert.equal(timeSec({ seconds: 1708329600, nanos: 500_000_000 }), 1708329600.5);
  assert.deepEqual(wireMessage({ message_id: 'm', conversation_id: 'g', sender_id: 'u', content: 'x', seq: '3', content_type: 'text' }),
    { messageId: 'm', conversationId: 'g', senderId: 'u', content: 'x', sequence: 3, status: undefined, timeSec: undefined });
  assert.equal(wireMessage({ contentType: 'system' }).contentType, 'system');
  const nested = parseConversations({ conversations: [{ conversationId: 'g', messages: [{ messageId: 'a', sequence: 1 }], hasMore: true }] });
  assert.deepEqual(nested.map((c) => [c.conversationId, c.messages.length, c.hasMore]), [['g', 1, true]]);
  const flat = parseConversations({ messages: [{ conversationId: 'g', sequence: 1 }, { conversationId: 'h', sequence: 1 }] });
  assert.deepEqual(flat.map((c) => c.conversationId).sort(), ['g', 'h']);
});

test('the replay line carries every option that changes the run, or points at run-config.json', () => {
  const target = targetFromEnv({
    ANYCHAT_TARGET: 'http://h:8080', ANYCHAT_GRPC: 'h:9000', ANYCHAT_GRPC_SERVICE_anychat_rtc_RTCService: 'h:9009',
    ANYCHAT_DEVICE_TYPE: 'iOS', ANYCHAT_PRIVATE_CONV: 'pair', ANYCHAT_CONTENT_FORMAT: 'text', ANYCHAT_MAX_COMMANDS: '9',
  });
  const line = replayCommand(target, 7, 'ORD.P2', 'ORD.P2~3:1~0:0', {});
  assert.equal(line, "anychat-conform run http://h:8080 --grpc h:9000 --grpc-service anychat.rtc.RTCService=h:9009 --device-type iOS " +
    "--private-conv pair --content-format text --max-commands 9 --suite ordering --seed 7 --grep 'ORD.P2 ' --path 'ORD.P2~3:1~0:0'");
  const plain = replayCommand(targetFromEnv({ ANYCHAT_TARGET: 'http://h:8080' }), 7, 'ORD.P1', 'ORD.P1~0~', {});
  assert.equal(plain, "anychat-conform run http://h:8080 --suite ordering --seed 7 --grep 'ORD.P1 ' --path 'ORD.P1~0~'");
  const viaConfig = replayCommand(target, 7, 'ORD.P2', 'ORD.P2~3:1~0:0', { ANYCHAT_RUN_CONFIG: '/tmp/out/run-config.json' });
  assert.equal(viaConfig, "anychat-conform run --config /tmp/out/run-config.json --suite ordering --grep 'ORD.P2 ' --path 'ORD.P2~3:1~0:0'");
});

test('wireMessage and parseConversations read any key spelling and omitted empty lists (fixtures/read.ts)', () => {
  assert.deepEqual(wireMessage({ message_id: 'm', conversation_id: 'g', sender_id: 'u', content: '{"text":"x"}', sequence: '3', created_at: { seconds: 1708329600, nanos: 0 } }),
    { messageId: 'm', conversationId: 'g', senderId: 'u', content: '{"text":"x"}', sequence: 3, status: undefined, timeSec: 1708329600 });
  assert.deepEqual(parseConversations({ conversations: [{ conversation_id: 'g' }] }), [{ conversationId: 'g', messages: [], hasMore: false }]);
  assert.deepEqual(parseConversations({}), []);
});
