import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadContracts } from '../contracts/index.js';
import { ConformanceFailure } from '../fixtures/failure.js';
import { Recorder } from '../fixtures/recorder.js';
import { RestApi } from '../fixtures/rest-client.js';
import { targetFromEnv } from '../fixtures/target.js';
import { registerUser } from '../fixtures/users.js';
import { attemptUpgrade, WsClient, wsUrlWithToken } from '../fixtures/ws-client.js';
import { NotificationWatch } from '../fixtures/ws-watch.js';
import { startServer } from '../reference-server/server.js';

/** The harness WS client against the real reference server (in-process, port 0, :memory:), clean and with WS faults. */

const contracts = loadContracts();

async function scene(faults: string[] = []) {
  const server = await startServer({ port: 0, grpcPort: -1, db: ':memory:', faults });
  const target = targetFromEnv({ ANYCHAT_TARGET: server.httpUrl, ANYCHAT_TIMEOUT_MS: '2000' });
  const recorder = new Recorder();
  const api = new RestApi({ target, contracts, recorder });
  const [a, b] = [await registerUser(api, target, 0), await registerUser(api, target, 0)];
  const group = await api.as(a).call('POST /groups', { body: { name: 'ws self-test', memberIds: [b.userId], joinVerify: false } });
  const clients: WsClient[] = [];
  const connect = (token: string, label: string) => {
    const c = new WsClient({ wsUrl: target.wsUrl, token, contracts, recorder, timeoutMs: target.timeoutMs, label });
    clients.push(c);
    return c.open();
  };
  return {
    server, target, recorder, a, b, groupId: group.data.groupId as string, connect,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    },
  };
}

test('clean server: upgrade, ping/pong, ack, message.new to the other member — no violation', async () => {
  const s = await scene();
  try {
    const refused = await attemptUpgrade(wsUrlWithToken(s.target.wsUrl, null), { timeoutMs: 2000, watchMs: 500 });
    assert.equal(refused.upgraded, false);
    const ca = await s.connect(s.a.accessToken, 'A');
    const cb = await s.connect(s.b.accessToken, 'B');
    await ca.ping(2000);
    const watch = await NotificationWatch.start([cb]);
    const ack = await ca.sendMessage({ conversationId: s.groupId, conversationType: 'group', content: 'hello', localId: 'l-1' });
    assert.equal(ack.localId, 'l-1');
    const f = await watch.delivered(cb, 'message.new', { messageId: ack.messageId }, 'cite');
    assert.equal(f.data.payload.data.sequence, ack.sequence);
    assert.deepEqual([...ca.violations, ...cb.violations], []);
    const cov = s.recorder.toJSON().coverage.map((c) => `${c.kind} ${c.key}`);
    assert.ok(cov.includes('notification message.new') && cov.includes('rest GET /ws'));
  } finally {
    await s.close();
  }
});

test('fault ws.ack-missing-sequence: sendMessage fails citing MessageSent', async () => {
  const s = await scene(['ws.ack-missing-sequence']);
  try {
    const ca = await s.connect(s.a.accessToken, 'A');
    await assert.rejects(ca.sendMessage({ conversationId: s.groupId, conversationType: 'group', content: 'x', localId: 'l-2' }), (e: unknown) => {
      assert.ok(e instanceof ConformanceFailure);
      assert.match(e.message, /required property 'sequence'/);
      assert.match(e.detail.cite!, /MessageSent\/payload/);
      return true;
    });
  } finally {
    await s.close();
  }
});

test('fault ws.notification-shape: the wait sees the delivery; the frame is kept as a nonconformant notification for WS.8', async () => {
  const s = await scene(['ws.notification-shape']);
  try {
    const ca = await s.connect(s.a.accessToken, 'A');
    const cb = await s.connect(s.b.accessToken, 'B');
    await ca.sendMessage({ conversationId: s.groupId, conversationType: 'group', content: 'x', localId: 'l-3' });
    const f = await cb.waitFor((fr) => fr.data?.type === 'notification', { what: 'message.new' });
    assert.doesNotThrow(() => cb.assertClean(), 'WS.8 owns the notification shape, not every wait');
    const [bad] = cb.nonconformantNotifications();
    assert.equal(bad?.index, f.index);
    assert.match(cb.violationDetail(bad!).message, /B: server frame #\d+ \(notification\) violates the AsyncAPI contract: \/payload must have required property 'notificationType'/);
  } finally {
    await s.close();
  }
});
