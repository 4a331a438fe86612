import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { packageRoot } from '../../contracts/index.js';

const cli = join(packageRoot, 'bin', 'anychat-conform.js');

interface Serving {
  child: ChildProcess;
  http: string;
  ws: string;
}

/** Start `anychat-conform serve` as a child process and wait for its one-line JSON address. */
export async function serveProcess(args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--grpc-port', '-1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not print its address within 20 s')), 20_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
  });
  const addr = JSON.parse(line);
  return { child, http: addr.http, ws: addr.ws };
}

async function rest(base: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json: any = await res.json();
  if (json.code !== 0) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function register(base: string, n: number): Promise<{ userId: string; accessToken: string }> {
  const tag = `${Date.now()}${n}`.slice(-9);
  return rest(base, 'POST', '/auth/register', {
    phoneNumber: `13${tag}`, email: `dur${tag}@example.com`, password: 'Passw0rd123', verifyCode: '123456',
    deviceId: `dev-${n}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `dur-${n}`,
  });
}

/**
 * DURABILITY.1: send `count` messages over WS, SIGKILL the server right after the last ack, restart it on the same
 * file, and count the acked messages that /sync/messages no longer returns (0 = durable).
 */
export async function durabilityScenario(opts: { faults?: string[]; count?: number } = {}): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'durability-'));
  const db = join(dir, 'anychat.db');
  const common = ['--db', db, '--jwt-secret', 'durability-secret', ...(opts.faults?.length ? ['--fault', opts.faults.join(',')] : [])];
  let server = await serveProcess(common);
  try {
    const a = await register(server.http, 1);
    const b = await register(server.http, 2);
    const group = await rest(server.http, 'POST', '/groups', { name: 'durability', memberIds: [b.userId] }, a.accessToken);
    const socket = new WebSocket(`${server.ws}?token=${a.accessToken}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
      setTimeout(() => reject(new Error('ws open timeout')), 10_000);
    });
    const count = opts.count ?? 20;
    const acks = new Map<string, { messageId: string; sequence: number }>();
    const allAcked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${acks.size}/${count} acks within 15 s`)), 15_000);
      socket.on('message', (raw) => {
        const f = JSON.parse(String(raw));
        if (f.type === 'message.sent' && f.payload?.localId) acks.set(f.payload.localId, f.payload);
        if (acks.size === count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    for (let i = 0; i < count; i++) {
      socket.send(JSON.stringify({ type: 'message.send', payload: { conversationId: group.groupId, conversationType: 'group', contentType: 'text', content: `m${i}`, localId: `l${i}` } }));
    }
    await allAcked;
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    socket.terminate();

    server = await serveProcess(common);
    // Tokens survive a restart (same JWT secret, same auth sessions in the DB).
    const synced = await rest(server.http, 'POST', '/sync/messages', { conversationSeqs: [{ conversationId: group.groupId, conversationType: 'group', lastSeq: 0 }], limitPerConversation: 1000 }, b.accessToken);
    const found = new Set<string>();
    for (const conv of synced.conversations ?? []) for (const m of conv.messages ?? []) found.add(`${m.messageId}#${m.sequence}`);
    return [...acks.values()].filter((a) => !found.has(`${a.messageId}#${a.sequence}`)).length;
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
