import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadContracts } from '../contracts/index.js';
import { ConformanceFailure } from '../fixtures/failure.js';
import { Recorder } from '../fixtures/recorder.js';
import { attemptUpgrade, notificationOf, WsClient, wsUrlWithToken } from '../fixtures/ws-client.js';
import { probeSockets } from '../fixtures/ws-probe.js';
import { mentions, NotificationWatch } from '../fixtures/ws-watch.js';

/**
 * The WS client's own validation, against a tiny hand-made WebSocket server whose behaviour is picked by the token
 * (not a mock of the reference server: it only produces the specific broken frames each case needs).
 */
const contracts = loadContracts();
let wss: WebSocketServer;
let wsUrl: string;
let silentTcp: Server;
let silentUrl: string;

type Behaviour = (sock: WebSocket, frame: any) => void;
const singleSockets = new Map<string, WebSocket>();
const behaviours: Record<string, Behaviour> = {
  good: (s, f) => {
    if (f.type === 'ping') s.send(JSON.stringify({ type: 'pong' }));
    if (f.type === 'message.send') s.send(JSON.stringify({ type: 'message.sent', payload: { messageId: 'm1', sequence: 1, timestamp: Math.floor(Date.now() / 1000), localId: f.payload.localId } }));
  },
  binary: (s) => s.send(Buffer.from([1, 2, 3]), { binary: true }),
  notjson: (s) => s.send('pong!'),
  unknowntype: (s) => s.send(JSON.stringify({ type: 'pongg' })),
  noseq: (s, f) => f.type === 'message.send' && s.send(JSON.stringify({ type: 'message.sent', payload: { messageId: 'm1', timestamp: 1708329600, localId: f.payload.localId } })),
  nolocalid: (s, f) => f.type === 'message.send' && s.send(JSON.stringify({ type: 'message.sent', payload: { messageId: 'm1', sequence: 1, timestamp: 1708329600 } })),
  silent: () => {},
  // A message.send "triggers" group.invited naming its conversationId (a stand-in for a REST-triggered notification).
  notifyonsend: (s, f) => {
    if (f.type === 'ping') s.send(JSON.stringify({ type: 'pong' }));
    if (f.type === 'message.send') s.send(JSON.stringify({ type: 'notification', payload: { notificationType: 'group.invited', timestamp: 1708329602, data: { group: { groupId: f.payload.conversationId } } } }));
  },
  close: (s) => s.close(4000, 'go away'),
  notify: (s, f) => {
    if (f.type !== 'ping') return;
    s.send(JSON.stringify({ type: 'notification', payload: { notificationType: 'group.invited', timestamp: Date.now(), data: { groupId: 'g1' } } }));
    s.send(JSON.stringify({ type: 'pong' }));
  },
  backendshape: (s, f) => {
    if (f.type !== 'ping') return;
    s.send(JSON.stringify({ type: 'notification', payload: { type: 'friend.request', payload: { from_user_id: 'u1' } } }));
    s.send(JSON.stringify({ type: 'pong' }));
  },
};

before(async () => {
  wss = new WebSocketServer({
    host: '127.0.0.1', port: 0,
    verifyClient: (info, cb) => {
      const token = new URL(info.req.url ?? '/', 'http://x').searchParams.get('token');
      if (!token || token === 'bad') return cb(false, 401, 'Unauthorized');
      cb(true);
    },
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/v1/ws`;
  wss.on('connection', (sock, req) => {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    if (token === 'closesoon') return void setTimeout(() => sock.close(4001, 'no'), 100);
    // 'single:<user>:<device>': one socket per user, a new connection replaces the old (as the official backend does).
    const single = /^single:([^:]+):/.exec(token)?.[1];
    if (single) {
      singleSockets.get(single)?.close(1000, 'replaced by new connection');
      singleSockets.set(single, sock);
    }
    sock.on('message', (data) => {
      let f: any;
      try { f = JSON.parse(String(data)); } catch { return; }
      behaviours[token.startsWith('single:') || token.startsWith('multi:') ? 'good' : token]?.(sock, f);
    });
  });
  // Accepts TCP connections and never answers: an upgrade that hangs.
  silentTcp = createServer(() => {});
  await new Promise<void>((r) => silentTcp.listen(0, '127.0.0.1', () => r()));
  silentUrl = `ws://127.0.0.1:${(silentTcp.address() as AddressInfo).port}/api/v1/ws`;
});

after(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await new Promise<void>((r) => silentTcp.close(() => r()));
});

function client(token: string, recorder = new Recorder(), timeoutMs = 2000): WsClient {
  return new WsClient({ wsUrl, token, contracts, recorder, timeoutMs, label: token });
}

async function rejection(p: Promise<unknown>): Promise<ConformanceFailure> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConformanceFailure, `expected a ConformanceFailure, got ${e}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

test('a conformant exchange: pong and ack resolve, coverage and transcript are recorded', async () => {
  const rec = new Recorder();
  const c = await client('good', rec).open();
  const pong = await c.ping(1000);
  assert.equal(pong.data.type, 'pong');
  assert.equal(pong.dir, 'in');
  assert.ok(pong.at > 0);
  const ack = await c.sendMessage({ conversationId: 'g', conversationType: 'group', content: 'hi', localId: 'l1' });
  assert.equal(ack.localId, 'l1');
  assert.deepEqual(c.violations, []);
  await c.close();
  const r = rec.toJSON();
  const cov = r.coverage.map((x) => `${x.kind} ${x.key}`);
  for (const k of ['rest GET /ws', 'ws-message ping', 'ws-message pong', 'ws-message message.send', 'ws-message message.sent']) assert.ok(cov.includes(k), `coverage ${k}`);
  assert.ok(r.exchanges.every((e) => e.protocol === 'ws'));
  const sent = r.exchanges.find((e) => e.label.includes('ws → ping'));
  assert.match(sent!.replay!, /^echo '\{"type":"ping"\}' \| websocat -n 'ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/ws\?token=good'$/);
  assert.ok(r.exchanges.some((e) => e.label.includes('closed by harness')));
});

test('a binary frame is a violation citing the subscribe operation', async () => {
  const c = await client('binary').open();
  const e = await rejection(c.ping(1000));
  assert.match(e.message, /binary frame/);
  assert.equal(e.detail.cite, 'websocket/asyncapi.yaml#/channels/~1api~1v1~1ws/subscribe/message');
  await c.close();
});

test('a text frame that is not JSON is a violation', async () => {
  const c = await client('notjson').open();
  const e = await rejection(c.ping(1000));
  assert.match(e.message, /not JSON/);
  assert.equal(e.detail.observed, 'pong!');
  await c.close();
});

test('an unknown frame type is a violation naming the allowed types', async () => {
  const c = await client('unknowntype').open();
  const e = await rejection(c.ping(1000));
  assert.match(e.message, /\/type must be one of \["pong","message.sent","notification"\]/);
  assert.deepEqual(e.detail.observed, { type: 'pongg' });
  await c.close();
});

test('an ack without sequence fails sendMessage citing the MessageSent schema', async () => {
  const c = await client('noseq').open();
  const e = await rejection(c.sendMessage({ conversationId: 'g', conversationType: 'group', content: 'hi', localId: 'l1' }));
  assert.match(e.message, /sequence/);
  assert.match(e.detail.cite!, /components\/messages\/MessageSent\/payload/);
  assert.match(e.detail.replay!, /^websocat 'ws:/);
  await c.close();
});

test('an ack that does not echo localId fails with the acks seen', async () => {
  const c = client('nolocalid', new Recorder(), 400);
  await c.open();
  const e = await rejection(c.sendMessage({ conversationId: 'g', conversationType: 'group', content: 'hi', localId: 'l9' }));
  assert.match(e.message, /no message.sent echoed localId "l9"; 1 message.sent frame\(s\) arrived without it/);
  assert.match(e.detail.cite!, /MessageSent\/payload\/properties\/payload\/properties\/localId$/);
  // Without localId the next ack is taken.
  const ack = await c.sendMessage({ conversationId: 'g', conversationType: 'group', content: 'hi' });
  assert.equal(ack.messageId, 'm1');
  await c.close();
});

test('a missing pong times out and says what it waited for', async () => {
  const c = await client('silent').open();
  const t0 = Date.now();
  const e = await rejection(c.ping(300));
  assert.ok(Date.now() - t0 < 1500);
  assert.match(e.message, /nothing arrived within \d+ ms while waiting for a pong after ping/);
  assert.equal(e.detail.observed, 'no frame received');
  assert.match(e.detail.replay!, /^echo '\{"type":"ping"\}' \| websocat -n 'ws:/, 'the replay repeats the ping');
  await c.close();
});

test('a server close rejects a pending wait with the close code', async () => {
  const c = await client('close').open();
  const e = await rejection(c.ping(2000));
  assert.match(e.message, /connection closed by the server \(code 4000 "go away"\) while waiting for a pong/);
  const e2 = await rejection(Promise.resolve().then(() => c.send({ type: 'ping' })));
  assert.match(e2.message, /cannot send ping: the connection is closed \(code 4000/);
});

test('notifications: coverage per type, ms timestamps warned; the backend shape is read, not covered, left to WS.8', async () => {
  const rec = new Recorder();
  const c = await client('notify', rec).open();
  await c.ping(1000);
  assert.equal(c.notifications('group.invited').length, 1);
  assert.equal(c.notifications().length, 1);
  const r = rec.toJSON();
  assert.ok(r.coverage.some((x) => x.kind === 'notification' && x.key === 'group.invited'));
  assert.ok(r.warnings.some((w) => /looks like Unix milliseconds/.test(w)));
  await c.close();

  const rec2 = new Recorder();
  const bad = await client('backendshape', rec2).open();
  await bad.ping(1000); // a nonconformant notification does not break waits: WS.8 owns the shape
  assert.doesNotThrow(() => bad.assertClean());
  const [f] = bad.nonconformantNotifications();
  assert.ok(f, 'the backend-shaped frame is kept as a nonconformant notification');
  assert.match(bad.violationDetail(f).message, /notification\) violates the AsyncAPI contract: \/payload must have required property 'notificationType'/);
  assert.match(bad.violationDetail(f).cite!, /components\/messages\/Notification\/payload/);
  const n = notificationOf(f.data)!;
  assert.deepEqual([n.type, n.shape, n.data.from_user_id], ['friend.request', 'backend', 'u1']);
  assert.equal(bad.notifications('friend.request').length, 1);
  const r2 = rec2.toJSON();
  assert.ok(!r2.coverage.some((x) => x.kind === 'notification' && x.state === 'conformant'), 'a nonconformant frame is not coverage');
  assert.ok(r2.coverage.some((x) => x.kind === 'notification' && x.key === 'friend.request' && x.state === 'nonconformant'), 'it is recorded as observed but nonconformant');
  await bad.close();
});

test('a violation no wait saw is still reported by assertClean', async () => {
  const c = await client('binary').open();
  c.send({ type: 'ping' });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.violations.length, 1);
  assert.throws(() => c.assertClean(), ConformanceFailure);
  assert.doesNotThrow(() => c.assertClean(), 'reported once');
  await c.close();
});

test('outgoing frames: invalid ones need an explicit reason, and valid ones may not claim one', async () => {
  const rec = new Recorder();
  const c = await client('good', rec).open();
  assert.throws(() => c.send({ type: 'message.send', payload: { conversationId: 'g' } }), /harness bug: .* violates the AsyncAPI publish contract/);
  const f = c.send({ type: 'message.send', payload: { conversationId: 'g', conversationType: 'group', contentType: 'text' } }, { invalid: 'no content' });
  assert.match(f.issues[0]!.message, /content/);
  assert.throws(() => c.send({ type: 'ping' }, { invalid: 'nope' }), /is valid per the AsyncAPI publish contract/);
  c.sendRaw('{not json', 'malformed JSON');
  assert.ok(rec.toJSON().exchanges.some((e) => e.label.includes('ws → invalid frame (malformed JSON)')));
  await c.ping(1000);
  await c.close();
});

test('upgrade refused: open() fails citing the channel, attemptUpgrade reports the status', async () => {
  const e = await rejection(client('bad').open());
  assert.match(e.message, /upgrade with a valid access token failed: HTTP 401/);
  assert.equal(e.detail.cite, 'websocket/asyncapi.yaml#/channels/~1api~1v1~1ws');
  const none = await attemptUpgrade(wsUrlWithToken(wsUrl, null), { timeoutMs: 1000, watchMs: 500 });
  assert.equal(none.upgraded, false);
  assert.equal(none.status, 401);
  const soon = await attemptUpgrade(wsUrlWithToken(wsUrl, 'closesoon'), { timeoutMs: 1000, watchMs: 2000 });
  assert.equal(soon.upgraded, true);
  assert.equal(soon.closeCode, 4001);
  assert.ok(soon.closedAfterMs! < 2000);
  const stays = await attemptUpgrade(wsUrlWithToken(wsUrl, 'silent'), { timeoutMs: 1000, watchMs: 300 });
  assert.deepEqual([stays.upgraded, stays.closedAfterMs], [true, undefined]);
});

test('a server that never answers the upgrade cannot hang the client', async () => {
  const t0 = Date.now();
  const c = new WsClient({ wsUrl: silentUrl, token: 't', contracts, timeoutMs: 500 });
  const e = await rejection(c.open());
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  assert.match(e.message, /upgrade with a valid access token failed/);
  const a = await attemptUpgrade(wsUrlWithToken(silentUrl, 't'), { timeoutMs: 500, watchMs: 500 });
  assert.equal(a.upgraded, false);
  assert.ok(Date.now() - t0 < 5000);
});

test('settle() is a barrier: true after the pong, false without one, and violations still surface', async () => {
  const good = await client('good').open();
  assert.equal(await good.settle(500), true);
  await good.close();
  assert.equal(await good.settle(500), false, 'closed socket');
  const silent = await client('silent').open();
  assert.equal(await silent.settle(200), false);
  await silent.close();
  const bad = await client('unknowntype').open();
  await rejection(bad.settle(500));
  await bad.close();
});

test('mentions() finds an id at any depth, compared as strings', () => {
  assert.equal(mentions({ a: { b: [1, { c: 'g1' }] } }, 'g1'), true);
  assert.equal(mentions({ requestId: 42 }, '42'), true);
  assert.equal(mentions({ a: 'g10' }, 'g1'), false);
  assert.equal(mentions(null, 'x'), false);
});

test('NotificationWatch: delivered needs the type and the ids; bystanders are caught; earlier frames do not count', async () => {
  const trigger = (c: WsClient, id: string) => c.send({ type: 'message.send', payload: { conversationId: id, conversationType: 'group', contentType: 'text', content: 'x' } });
  const recipient = await client('notifyonsend', new Recorder(), 400).open();
  const bystander = await client('notifyonsend', new Recorder(), 400).open();
  trigger(recipient, 'before');
  trigger(bystander, 'before');
  let watch = await NotificationWatch.start([recipient, bystander]);
  trigger(recipient, 'g1');
  const f = await watch.delivered(recipient, 'group.invited', { groupId: 'g1' }, 'cite');
  assert.equal(f.data.payload.data.group.groupId, 'g1');
  await assert.doesNotReject(watch.notDelivered([bystander], 'group.invited', 'cite'), 'the pre-watch notification is not counted');

  const wrongIds = await rejection(watch.delivered(recipient, 'group.invited', { groupId: 'g2' }, 'cite'));
  assert.match(wrongIds.message, /received group.invited but its data does not identify the object \(groupId=g2\)/);
  const wrongType = await rejection(watch.delivered(recipient, 'friend.request', {}, ['c1', 'c2']));
  assert.match(wrongType.message, /did not receive friend.request \(it received: group.invited\)/);
  assert.equal(wrongType.detail.cite, 'c1 ; c2');

  watch = await NotificationWatch.start([recipient, bystander]);
  trigger(bystander, 'g3');
  const leak = await rejection(watch.notDelivered([recipient, bystander], 'group.invited', 'cite', 'it was not invited'));
  assert.match(leak.message, /received group.invited although it was not invited/);
  await Promise.all([recipient.close(), bystander.close()]);
});

test('the socket probe: one socket per user is detected, two devices that both stay open are not', async () => {
  const single = await probeSockets((which) => client(`single:u1:d${which}`).open());
  assert.equal(single.multi, false);
  assert.match(single.observed, /first connection was closed by the server \(code 1000 "replaced by new connection"\)/);
  const multi = await probeSockets((which) => client(`multi:u2:d${which}`).open());
  assert.deepEqual(multi, { multi: true, observed: 'both connections of the user stayed open' });
  await assert.rejects(probeSockets((which) => client(which === 0 ? 'multi:u3:d0' : 'bad').open()), /upgrade with a valid access token failed: HTTP 401/);
});
