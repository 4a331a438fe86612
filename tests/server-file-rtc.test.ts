/**
 * Reference server: file and RTC services over REST and gRPC, against a real server (port 0, SQLite :memory:).
 * Users come from POST /auth/register; notifications are read over the WS gateway when it accepts the upgrade,
 * otherwise from an in-process connection registered on the server's bus (the same notify() path the gateway uses).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { loadPackageDefinition } from '../reference-server/grpc/host.js';
import type { Connection } from '../reference-server/bus.js';

const TIMEOUT_MS = 5000;

interface User { userId: string; accessToken: string; nickname: string }
interface Res { status: number; body: any; data: any }

let s: RunningServer;
let fileClient: grpc.Client;
let rtcClient: grpc.Client;
let useWs = false;
const inboxes: Inbox[] = [];

// ---------- helpers ----------

async function http(method: string, url: string, opts: { token?: string; body?: unknown; raw?: Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; bytes: Buffer; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (opts.raw) {
    body = new Uint8Array(opts.raw);
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, text: bytes.toString('utf8'), bytes, headers: res.headers };
}

/**
 * Call contract op `key` ('GET /files/{fileId}') as `user`; the response is checked against the contract's envelope schema
 * for the status it answered with, the status must be one the op declares, and the envelope code must agree with it.
 */
async function call(user: User | null, key: string, opts: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {}): Promise<Res> {
  const op = s.ctx.contracts.catalogue.operationsByKey.get(key);
  assert.ok(op, `${key} is a contract op`);
  let path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(opts.params?.[n] ?? `missing-${n}`));
  const q = new URLSearchParams(Object.entries(opts.query ?? {}).map(([k, v]) => [k, String(v)]));
  if ([...q].length) path += `?${q}`;
  const r = await http(op.method, `${s.baseUrl}${path}`, { token: user?.accessToken, body: opts.body });
  const body = JSON.parse(r.text);
  assert.ok(op.statuses.includes(r.status), `${key} answered undeclared status ${r.status}: ${r.text}`);
  assert.deepEqual(s.ctx.contracts.validators.restResponse(key, r.status)(body), [], `${key} ${r.status} matches the contract`);
  if (r.status === 200) assert.equal(body.code, 0, `${key} success code`);
  else assert.ok(body.code !== 0 && typeof body.message === 'string', `${key} failure envelope: ${r.text}`);
  return { status: r.status, body, data: body.data };
}

async function ok(user: User | null, key: string, opts: Parameters<typeof call>[2] = {}): Promise<any> {
  const r = await call(user, key, opts);
  assert.equal(r.status, 200, `${key} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.data;
}

async function fails(user: User | null, key: string, status: number, opts: Parameters<typeof call>[2] = {}, mentions?: string): Promise<Res> {
  const r = await call(user, key, opts);
  assert.equal(r.status, status, `${key} expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  if (mentions) assert.match(r.body.message, new RegExp(mentions), `${key} error names '${mentions}'`);
  return r;
}

let seq = 0;
async function register(nickname = 'fr', server: RunningServer = s): Promise<User> {
  seq += 1;
  const tag = `${Date.now() % 1e8}${seq}`.padStart(9, '0').slice(-9);
  const name = `${nickname}-${seq}-${randomBytes(2).toString('hex')}`;
  const body = {
    phoneNumber: `13${tag}`,
    email: `fr${tag}${randomBytes(2).toString('hex')}@example.com`,
    password: `Aa1${randomBytes(6).toString('hex')}`,
    nickname: name,
    verifyCode: '123456',
    deviceType: 'ios',
    deviceId: `dev-${tag}`,
    clientVersion: '1.0.0',
  };
  const r = await http('POST', `${server.baseUrl}/auth/register`, { body });
  assert.equal(r.status, 200, `register works (the auth service must be in place): ${r.status} ${r.text}`);
  const data = JSON.parse(r.text).data;
  assert.ok(data?.userId && data?.accessToken, `register returns userId and accessToken: ${r.text}`);
  return { userId: data.userId, accessToken: data.accessToken, nickname: name };
}

/** Notifications one user receives. */
class Inbox {
  readonly frames: any[] = [];
  private waiters: Array<() => void> = [];
  close: () => void = () => undefined;

  push(frame: any): void {
    this.frames.push(frame);
    for (const w of this.waiters.splice(0)) w();
  }

  notifications(type: string): any[] {
    return this.frames.filter((f) => f?.type === 'notification' && f.payload?.notificationType === type).map((f) => f.payload);
  }

  async waitFor(type: string, pred: (data: any) => boolean = () => true): Promise<any> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const hit = this.notifications(type).find((p) => pred(p.data));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} notification within ${TIMEOUT_MS} ms; saw ${JSON.stringify(this.frames.map((f) => f.payload?.notificationType ?? f.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
}

async function inbox(user: User): Promise<Inbox> {
  const box = new Inbox();
  inboxes.push(box);
  if (useWs) {
    const ws = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(user.accessToken)}`);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('ws open timeout')), TIMEOUT_MS);
      ws.once('open', () => { clearTimeout(t); resolve(); });
      ws.once('error', (e) => { clearTimeout(t); reject(e); });
    });
    ws.on('message', (d) => box.push(JSON.parse(d.toString())));
    box.close = () => ws.close();
  } else {
    const conn: Connection = {
      userId: user.userId,
      deviceId: 'test-inbox',
      socket: { close: () => undefined } as unknown as WebSocket,
      send: (frame) => box.push(JSON.parse(JSON.stringify(frame))),
    };
    s.ctx.bus.add(conn);
    box.close = () => s.ctx.bus.remove(conn);
  }
  return box;
}

/** Does the WS gateway accept a valid token? (It is written in parallel; until then the bus is read in-process.) */
async function gatewayWorks(user: User): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(user.accessToken)}`);
    const done = (v: boolean) => { clearTimeout(t); ws.removeAllListeners(); ws.on('error', () => undefined); ws.terminate(); resolve(v); };
    const t = setTimeout(() => done(false), 2000);
    ws.once('open', () => setTimeout(() => done(ws.readyState === WebSocket.OPEN), 300));
    ws.once('error', () => done(false));
    ws.once('unexpected-response', () => done(false));
  });
}

function rpc(client: grpc.Client, service: string, method: string, req: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      `/${service}/${method}`,
      (v: unknown) => Buffer.from(s.ctx.contracts.validators.protoType(reqType(service, method)).encode(v as object).finish()),
      (b: Buffer) => b,
      req,
      { deadline: Date.now() + TIMEOUT_MS },
      (err, value) => (err ? reject(err) : resolve(value)),
    );
  });
}

function reqType(service: string, method: string): string {
  const r = s.ctx.contracts.catalogue.rpcs.find((x) => x.fullService === service && x.name === method);
  assert.ok(r, `${service}/${method} exists`);
  return r.requestType;
}

function jwtClaims(token: string): any {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'token is a JWT');
  assert.deepEqual(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
}

const isSec = (v: unknown) => Number.isInteger(v) && (v as number) > 1.6e9 && (v as number) < 1e11;

// Typed gRPC clients built from the contract protos, the way an external client would.
function grpcClients(): void {
  const def = loadPackageDefinition(s.ctx);
  const File = grpc.loadPackageDefinition(def).file as any;
  const Rtc = (grpc.loadPackageDefinition(def).anychat as any).rtc;
  fileClient = new File.FileService(s.grpcAddress!, grpc.credentials.createInsecure());
  rtcClient = new Rtc.RTCService(s.grpcAddress!, grpc.credentials.createInsecure());
}

function g(client: grpc.Client, method: string, req: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    (client as any)[method](req, { deadline: Date.now() + TIMEOUT_MS }, (err: grpc.ServiceError | null, res: any) => (err ? reject(err) : resolve(res)));
  });
}

async function gFails(client: grpc.Client, method: string, req: unknown, code: grpc.status): Promise<void> {
  await assert.rejects(g(client, method, req), (e: any) => {
    assert.equal(e.code, code, `${method} status ${e.code} (${e.details})`);
    return true;
  });
}

async function uploadFile(user: User, bytes: Buffer, meta: Record<string, unknown> = {}): Promise<{ fileId: string; info: any }> {
  const tok = await ok(user, 'POST /files/upload-token', {
    body: { fileName: 'blob.bin', fileSize: bytes.length, mimeType: 'application/octet-stream', fileType: 'file', ...meta },
  });
  const put = await http('PUT', tok.uploadUrl, { raw: bytes, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.status, 200, put.text);
  const info = await ok(user, 'POST /files/{fileId}/complete', { params: { fileId: tok.fileId } });
  return { fileId: tok.fileId, info };
}

// ---------- setup ----------

let A: User, B: User, C: User;
let inA: Inbox, inB: Inbox;

before(async () => {
  s = await startServer({ port: 0, grpcPort: 0, db: ':memory:' });
  grpcClients();
  A = await register('alice');
  B = await register('bob');
  C = await register('carol');
  useWs = await gatewayWorks(A);
  inA = await inbox(A);
  inB = await inbox(B);
});

after(async () => {
  for (const box of inboxes) box.close();
  fileClient?.close();
  rtcClient?.close();
  await s?.close();
});

test('notifications are read from the real WS gateway when it is in place', (t) => {
  t.diagnostic(useWs ? 'notifications via the WS gateway' : 'WS gateway not accepting yet: notifications read from the in-process bus');
  assert.ok(inA && inB);
});

// ---------- files ----------

describe('files over REST', () => {
  test('upload → complete → list → download returns the same bytes → delete → 404 (W10, FI1, FI3, FI4)', async () => {
    const bytes = randomBytes(70_000);
    const tok = await ok(A, 'POST /files/upload-token', {
      body: { fileName: 'photo.png', fileSize: bytes.length, mimeType: 'image/png', fileType: 'image' },
    });
    assert.match(tok.fileId, /^f_/);
    assert.equal(tok.expiresIn, 3600);
    const up = new URL(tok.uploadUrl);
    assert.equal(up.origin, s.httpUrl, 'uploadUrl is absolute, on the server itself');
    assert.ok(isSec(Number(up.searchParams.get('exp'))) && up.searchParams.get('sig'), 'uploadUrl carries exp and sig');

    const pending = await ok(A, 'GET /files/{fileId}', { params: { fileId: tok.fileId } });
    assert.equal(pending.status, 2, 'processing until completed');
    await fails(A, 'POST /files/{fileId}/complete', 400, { params: { fileId: tok.fileId } }, 'no bytes uploaded');

    // The signed URL is the only credential: no Authorization header.
    const put = await http('PUT', tok.uploadUrl, { raw: bytes, headers: { 'content-type': 'image/png' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(JSON.parse(put.text).data.size, bytes.length);
    await inA.waitFor('file.processing', (d) => d.fileId === tok.fileId);

    const info = await ok(A, 'POST /files/{fileId}/complete', { params: { fileId: tok.fileId } });
    assert.equal(info.fileId, tok.fileId);
    assert.equal(info.userId, A.userId);
    assert.equal(info.fileName, 'photo.png');
    assert.equal(info.fileType, 'image');
    assert.equal(info.mimeType, 'image/png');
    assert.equal(info.fileSize, bytes.length);
    assert.equal(info.status, 1);
    assert.ok(isSec(info.createdAt), `createdAt is int Unix seconds: ${info.createdAt}`);
    for (const k of ['storagePath', 'thumbnailPath', 'bucketName']) assert.equal(typeof info[k], 'string', k);
    assert.equal(info.expiresAt, undefined);
    const done = await inA.waitFor('file.upload_completed', (d) => d.fileId === tok.fileId);
    assert.deepEqual({ fileName: done.data.fileName, fileSize: done.data.fileSize }, { fileName: 'photo.png', fileSize: bytes.length });
    assert.ok(isSec(done.timestamp));
    assert.equal(inB.notifications('file.upload_completed').length, 0, 'only the owner is told');
    // Completing twice is harmless and not announced twice.
    assert.equal((await ok(A, 'POST /files/{fileId}/complete', { params: { fileId: tok.fileId } })).status, 1);

    const got = await ok(A, 'GET /files/{fileId}', { params: { fileId: tok.fileId } });
    assert.deepEqual(got, info);

    const list = await ok(A, 'GET /files');
    assert.deepEqual([list.page, list.pageSize], [1, 20]);
    assert.ok(list.files.some((f: any) => f.fileId === tok.fileId));
    assert.equal(list.total, list.files.length);
    const images = await ok(A, 'GET /files', { query: { fileType: 'image', page: 1, pageSize: 5 } });
    assert.ok(images.files.every((f: any) => f.fileType === 'image') && images.pageSize === 5);
    const videos = await ok(A, 'GET /files', { query: { fileType: 'video' } });
    assert.ok(!videos.files.some((f: any) => f.fileId === tok.fileId));
    assert.ok(!(await ok(B, 'GET /files')).files.some((f: any) => f.fileId === tok.fileId), "B does not list A's file");

    const dl = await ok(A, 'GET /files/{fileId}/download', { params: { fileId: tok.fileId } });
    assert.equal(dl.expiresIn, 3600, 'default 60 minutes');
    assert.equal(new URL(dl.downloadUrl).origin, s.httpUrl);
    const fetched = await http('GET', dl.downloadUrl);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.get('content-type'), 'image/png');
    assert.ok(fetched.bytes.equals(bytes), 'downloaded bytes equal the uploaded ones');
    const short = await ok(A, 'GET /files/{fileId}/download', { params: { fileId: tok.fileId }, query: { expiresMinutes: 5 } });
    assert.equal(short.expiresIn, 300);

    await ok(A, 'DELETE /files/{fileId}', { params: { fileId: tok.fileId } });
    await fails(A, 'GET /files/{fileId}', 404, { params: { fileId: tok.fileId } });
    await fails(A, 'DELETE /files/{fileId}', 404, { params: { fileId: tok.fileId } });
    assert.equal((await http('GET', dl.downloadUrl)).status, 404, 'bytes are gone');
    assert.ok(!(await ok(A, 'GET /files')).files.some((f: any) => f.fileId === tok.fileId));
  });

  test('a tampered, expired or misused signature is refused with 403', async () => {
    const bytes = Buffer.from('signed bytes');
    const tok = await ok(A, 'POST /files/upload-token', { body: { fileName: 'a.txt', fileSize: 100, mimeType: 'text/plain', fileType: 'file' } });
    const url = new URL(tok.uploadUrl);
    const variant = (mut: (u: URL) => void) => { const u = new URL(url); mut(u); return u.toString(); };
    const sig = url.searchParams.get('sig')!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    for (const [label, u] of [
      ['flipped signature', variant((x) => x.searchParams.set('sig', flipped))],
      ['no signature', variant((x) => x.searchParams.delete('sig'))],
      ['extended exp', variant((x) => x.searchParams.set('exp', String(Number(x.searchParams.get('exp')) + 1000)))],
    ] as const) {
      const r = await http('PUT', u, { raw: bytes });
      assert.equal(r.status, 403, `${label}: ${r.status} ${r.text}`);
      assert.equal(JSON.parse(r.text).code, 70403);
    }
    // A correctly signed but expired URL (signed here with the server's own secret).
    const exp = Math.floor(Date.now() / 1000) - 10;
    const expiredSig = createHmac('sha256', s.ctx.config.jwtSecret).update(`PUT|${tok.fileId}|${exp}`).digest('base64url');
    const expired = await http('PUT', variant((x) => { x.searchParams.set('exp', String(exp)); x.searchParams.set('sig', expiredSig); }), { raw: bytes });
    assert.equal(expired.status, 403);
    assert.match(JSON.parse(expired.text).message, /expired/);
    // An upload URL does not download, and one file's URL does not reach another file.
    assert.equal((await http('GET', tok.uploadUrl)).status, 403, 'signature is bound to the method');
    const other = await ok(A, 'POST /files/upload-token', { body: { fileName: 'b.txt', fileSize: 100, mimeType: 'text/plain', fileType: 'file' } });
    const cross = tok.uploadUrl.replace(tok.fileId, other.fileId);
    assert.equal((await http('PUT', cross, { raw: bytes })).status, 403, 'signature is bound to the file');
    // Nothing was stored by the refused attempts.
    await fails(A, 'POST /files/{fileId}/complete', 400, { params: { fileId: tok.fileId } }, 'no bytes');
  });

  test('an upload larger than the declared fileSize is refused and nothing is kept', async () => {
    const tok = await ok(A, 'POST /files/upload-token', { body: { fileName: 'x', fileSize: 10, mimeType: 'text/plain', fileType: 'file' } });
    const r = await http('PUT', tok.uploadUrl, { raw: Buffer.alloc(11, 1) });
    assert.equal(r.status, 400, r.text);
    await fails(A, 'POST /files/{fileId}/complete', 400, { params: { fileId: tok.fileId } }, 'no bytes');
    const empty = await http('PUT', tok.uploadUrl, { raw: Buffer.alloc(0) });
    assert.equal(empty.status, 400, empty.text);
  });

  test('upload-token validation names the field (I9)', async () => {
    const good = { fileName: 'a.png', fileSize: 10, mimeType: 'image/png', fileType: 'image' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, fileName: undefined }, 'fileName'],
      [{ ...good, fileName: '' }, 'fileName'],
      [{ ...good, fileSize: 0 }, 'fileSize'],
      [{ ...good, fileSize: '10' }, 'fileSize'],
      [{ ...good, fileSize: 1.5 }, 'fileSize'],
      [{ ...good, mimeType: undefined }, 'mimeType'],
      [{ ...good, fileType: 'document' }, 'fileType'],
      [{ ...good, expiresHours: -1 }, 'expiresHours'],
    ];
    for (const [body, field] of cases) {
      const r = await fails(A, 'POST /files/upload-token', 400, { body }, field);
      assert.equal(r.body.code, 70400);
    }
    await fails(A, 'GET /files', 400, { query: { fileType: 'doc' } }, 'fileType');
    await fails(A, 'GET /files', 400, { query: { pageSize: 0 } }, 'pageSize');
    await fails(null, 'POST /files/upload-token', 401, { body: good });
  });

  test('only the owner reads, downloads or deletes a file (FI2, SEC.AUTHZ.files)', async () => {
    const { fileId } = await uploadFile(A, Buffer.from('private'));
    await fails(B, 'GET /files/{fileId}', 403, { params: { fileId } });
    await fails(B, 'GET /files/{fileId}/download', 403, { params: { fileId } });
    await fails(B, 'DELETE /files/{fileId}', 403, { params: { fileId } });
    await fails(B, 'POST /files/{fileId}/complete', 404, { params: { fileId } });
    await fails(A, 'GET /files/{fileId}', 404, { params: { fileId: 'f_doesnotexist' } });
    await fails(A, 'GET /files/{fileId}/download', 404, { params: { fileId: 'f_doesnotexist' } });
    await fails(A, 'GET /files/{fileId}/download', 400, { params: { fileId }, query: { expiresMinutes: 0 } }, 'expiresMinutes');
    assert.equal((await ok(A, 'GET /files/{fileId}', { params: { fileId } })).fileId, fileId, 'still there for the owner');
  });

  test('expiresHours within the hour: expiresAt is set and file.expiring is sent', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { fileId, info } = await uploadFile(A, Buffer.from('short-lived'), { expiresHours: 1 });
    assert.ok(info.expiresAt >= before + 3600 && info.expiresAt <= before + 3600 + 5, `expiresAt ${info.expiresAt}`);
    const n = await inA.waitFor('file.expiring', (d) => d.fileId === fileId);
    assert.equal(n.data.expiresAt, info.expiresAt);
    const { fileId: longLived } = await uploadFile(A, Buffer.from('long-lived'), { expiresHours: 48 });
    assert.equal(inA.notifications('file.expiring').filter((p) => p.data.fileId === longLived).length, 0);
  });
});

test('an in-memory server keeps its uploads in a temporary directory and removes it on close', async () => {
  const f = await startServer({ port: 0, grpcPort: -1, db: ':memory:' });
  const dir = f.ctx.config.filesDir;
  assert.ok(existsSync(dir), `${dir} exists while the server runs`);
  await f.close();
  assert.equal(existsSync(dir), false, `${dir} is removed by close()`);
});

test('fault authz.files-cross-user lets any user read any file metadata', async () => {
  const f = await startServer({ port: 0, grpcPort: -1, db: ':memory:', faults: ['authz.files-cross-user'] });
  try {
    const a = await register('owner', f);
    const b = await register('other', f);
    const tok = await http('POST', `${f.baseUrl}/files/upload-token`, {
      token: a.accessToken, body: { fileName: 'a', fileSize: 1, mimeType: 'text/plain', fileType: 'file' },
    });
    const fileId = JSON.parse(tok.text).data.fileId;
    const r = await http('GET', `${f.baseUrl}/files/${fileId}`, { token: b.accessToken });
    assert.equal(r.status, 200, `with the fault the other user reads the metadata: ${r.text}`);
    assert.equal(JSON.parse(r.text).data.userId, a.userId);
  } finally {
    await f.close();
  }
});

describe('files over gRPC (file.FileService)', () => {
  test('all 7 rpcs over the same store as REST', async () => {
    const bytes = randomBytes(1234);
    const t = await g(fileClient, 'GenerateUploadToken', {
      user_id: A.userId, file_name: 'g.bin', file_size: bytes.length, mime_type: 'application/octet-stream', file_type: 'file',
    });
    assert.match(t.file_id, /^f_/);
    assert.equal(Number(t.expires_in), 3600);
    assert.equal((await http('PUT', t.upload_url, { raw: bytes })).status, 200);
    const info = await g(fileClient, 'CompleteUpload', { file_id: t.file_id, user_id: A.userId });
    assert.equal(info.status, 1);
    assert.equal(Number(info.file_size), bytes.length);
    assert.ok(isSec(Number(info.created_at)));
    const got = await g(fileClient, 'GetFileInfo', { file_id: t.file_id, user_id: A.userId });
    assert.equal(got.file_name, 'g.bin');
    // The same file over REST.
    assert.equal((await ok(A, 'GET /files/{fileId}', { params: { fileId: t.file_id } })).fileSize, bytes.length);
    const dl = await g(fileClient, 'GenerateDownloadURL', { file_id: t.file_id, user_id: A.userId, expires_minutes: 2 });
    assert.equal(Number(dl.expires_in), 120);
    assert.ok((await http('GET', dl.download_url)).bytes.equals(bytes));
    const list = await g(fileClient, 'ListUserFiles', { user_id: A.userId, page: 1, page_size: 100 });
    assert.ok(list.files.some((f: any) => f.file_id === t.file_id));
    assert.equal(Number(list.total), list.files.length);
    assert.deepEqual([list.page, list.page_size], [1, 100]);
    const batch = await g(fileClient, 'BatchGetFileInfo', { file_ids: [t.file_id, 'f_unknown'], user_id: A.userId });
    assert.deepEqual(batch.files.map((f: any) => f.file_id), [t.file_id]);
    assert.deepEqual((await g(fileClient, 'BatchGetFileInfo', { file_ids: [t.file_id], user_id: B.userId })).files, [], "B's batch leaves A's file out");
    await gFails(fileClient, 'GetFileInfo', { file_id: t.file_id, user_id: B.userId }, grpc.status.PERMISSION_DENIED);
    await gFails(fileClient, 'GetFileInfo', { file_id: t.file_id }, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(await g(fileClient, 'DeleteFile', { file_id: t.file_id, user_id: A.userId }), { success: true });
    await gFails(fileClient, 'GetFileInfo', { file_id: t.file_id, user_id: A.userId }, grpc.status.NOT_FOUND);
    await fails(A, 'GET /files/{fileId}', 404, { params: { fileId: t.file_id } });
  });
});

// ---------- calls ----------

describe('calls over REST', () => {
  test('ringing → connected → ended, with tokens and notifications to the right users (R1–R3, W11)', async () => {
    const started = await ok(A, 'POST /rtc/calls', { body: { calleeId: B.userId, callType: 'video' } });
    const { callId, roomName, token } = started;
    assert.match(callId, /^call_/);
    assert.ok(roomName);
    const claims = jwtClaims(token);
    assert.equal(claims.iss, 'anychat-reference');
    assert.equal(claims.sub, A.userId);
    assert.equal(claims.name, A.nickname);
    assert.deepEqual(claims.video, { room: roomName, roomJoin: true });
    assert.ok(claims.exp > Date.now() / 1000);
    assert.equal((await http('GET', `${s.baseUrl}/users/me`, { token })).status, 401, 'an RTC token is not an API token');

    const invite = await inB.waitFor('livekit.call_invite', (d) => d.callId === callId);
    assert.deepEqual(invite.data, { callId, callerId: A.userId, callType: 'video', roomName });
    assert.equal(inA.notifications('livekit.call_invite').filter((p) => p.data.callId === callId).length, 0, 'the caller is not invited');

    for (const u of [A, B]) {
      const c = await ok(u, 'GET /rtc/calls/{callId}', { params: { callId } });
      assert.deepEqual(
        [c.callId, c.callerId, c.calleeId, c.callType, c.status, c.roomName, c.connectedAt, c.endedAt, c.duration],
        [callId, A.userId, B.userId, 'video', 'ringing', roomName, 0, 0, 0],
      );
      assert.ok(isSec(c.startedAt) && isSec(c.createdAt));
    }
    await fails(C, 'GET /rtc/calls/{callId}', 404, { params: { callId } });
    await fails(C, 'POST /rtc/calls/{callId}/join', 404, { params: { callId } });
    await fails(C, 'POST /rtc/calls/{callId}/end', 404, { params: { callId } });
    await fails(A, 'POST /rtc/calls/{callId}/join', 400, { params: { callId } }, 'callee');

    const joined = await ok(B, 'POST /rtc/calls/{callId}/join', { params: { callId } });
    assert.equal(joined.roomName, roomName);
    assert.equal(jwtClaims(joined.token).sub, B.userId);
    assert.equal(jwtClaims(joined.token).video.room, roomName);
    for (const box of [inA, inB]) {
      const n = await box.waitFor('livekit.call_status', (d) => d.callId === callId && d.status === 'connected');
      assert.deepEqual(n.data, { callId, status: 'connected' });
    }
    const connected = await ok(A, 'GET /rtc/calls/{callId}', { params: { callId } });
    assert.equal(connected.status, 'connected');
    assert.ok(isSec(connected.connectedAt));
    await fails(B, 'POST /rtc/calls/{callId}/join', 400, { params: { callId } }, 'connected');
    await fails(B, 'POST /rtc/calls/{callId}/reject', 404, { params: { callId } });

    await ok(A, 'POST /rtc/calls/{callId}/end', { params: { callId } });
    for (const box of [inA, inB]) await box.waitFor('livekit.call_status', (d) => d.callId === callId && d.status === 'ended');
    const ended = await ok(B, 'GET /rtc/calls/{callId}', { params: { callId } });
    assert.equal(ended.status, 'ended');
    assert.ok(ended.endedAt >= ended.connectedAt && ended.duration === ended.endedAt - ended.connectedAt);
    await ok(B, 'POST /rtc/calls/{callId}/end', { params: { callId } }); // hanging up twice is harmless
    assert.equal((await ok(A, 'GET /rtc/calls/{callId}', { params: { callId } })).status, 'ended');

    for (const u of [A, B]) {
      const logs = await ok(u, 'GET /rtc/calls');
      const mine = logs.sessions.find((x: any) => x.callId === callId);
      assert.equal(mine?.status, 'ended', `${u.nickname} lists the call`);
      assert.ok(logs.total >= logs.sessions.length);
    }
    assert.ok(!(await ok(C, 'GET /rtc/calls')).sessions.some((x: any) => x.callId === callId));
    const paged = await ok(A, 'GET /rtc/calls', { query: { page: 1, pageSize: 1 } });
    assert.equal(paged.sessions.length, 1);
  });

  test('reject: the caller gets livekit.call_rejected; the call is rejected (R4)', async () => {
    const { callId } = await ok(A, 'POST /rtc/calls', { body: { calleeId: B.userId } });
    assert.equal((await ok(B, 'GET /rtc/calls/{callId}', { params: { callId } })).callType, 'audio', 'default audio');
    await fails(A, 'POST /rtc/calls/{callId}/reject', 404, { params: { callId } });
    await ok(B, 'POST /rtc/calls/{callId}/reject', { params: { callId } });
    const n = await inA.waitFor('livekit.call_rejected', (d) => d.callId === callId);
    assert.deepEqual(n.data, { callId, calleeId: B.userId });
    assert.equal(inB.notifications('livekit.call_rejected').filter((p) => p.data.callId === callId).length, 0);
    const c = await ok(A, 'GET /rtc/calls/{callId}', { params: { callId } });
    assert.equal(c.status, 'rejected');
    assert.ok(isSec(c.endedAt));
    await ok(B, 'POST /rtc/calls/{callId}/reject', { params: { callId } }); // already rejected: no change
    await fails(B, 'POST /rtc/calls/{callId}/join', 400, { params: { callId } }, 'rejected');
  });

  test('the caller hanging up while ringing cancels the call', async () => {
    const { callId } = await ok(A, 'POST /rtc/calls', { body: { calleeId: B.userId, callType: 'AUDIO' } });
    await ok(A, 'POST /rtc/calls/{callId}/end', { params: { callId } });
    for (const box of [inA, inB]) await box.waitFor('livekit.call_status', (d) => d.callId === callId && d.status === 'cancelled');
    const c = await ok(B, 'GET /rtc/calls/{callId}', { params: { callId } });
    assert.deepEqual([c.status, c.duration, c.connectedAt], ['cancelled', 0, 0]);
  });

  test('an unanswered call becomes missed after the ring timeout', async () => {
    const { callId } = await ok(A, 'POST /rtc/calls', { body: { calleeId: B.userId } });
    // Age the call instead of waiting 60 s: the same row the timer would find.
    s.ctx.db.prepare('UPDATE rtc_calls SET created_at = created_at - 61, started_at = started_at - 61 WHERE call_id = ?').run(callId);
    const c = await ok(B, 'GET /rtc/calls/{callId}', { params: { callId } });
    assert.equal(c.status, 'missed');
    assert.equal(c.endedAt, c.createdAt + 60);
    await inA.waitFor('livekit.call_status', (d) => d.callId === callId && d.status === 'missed');
    await fails(B, 'POST /rtc/calls/{callId}/join', 400, { params: { callId } }, 'missed');
  });

  test('invalid call requests fail with the declared statuses', async () => {
    await fails(A, 'POST /rtc/calls', 400, { body: { calleeId: A.userId } }, 'calleeId');
    await fails(A, 'POST /rtc/calls', 400, { body: { calleeId: 'u_nobody' } }, 'calleeId');
    await fails(A, 'POST /rtc/calls', 400, { body: {} }, 'calleeId');
    await fails(A, 'POST /rtc/calls', 400, { body: { calleeId: B.userId, callType: 'fax' } }, 'callType');
    for (const key of ['GET /rtc/calls/{callId}', 'POST /rtc/calls/{callId}/join', 'POST /rtc/calls/{callId}/reject', 'POST /rtc/calls/{callId}/end']) {
      const r = await fails(A, key, 404, { params: { callId: 'call_unknown' } });
      assert.equal(r.body.code, 90404);
    }
    await fails(null, 'GET /rtc/calls', 401);
  });
});

describe('meetings over REST', () => {
  test('password, capacity, creator-only end, ended not listed (R5, W12)', async () => {
    const created = await ok(A, 'POST /rtc/meetings', { body: { title: 'Standup', password: 'pw-1', maxParticipants: 2 } });
    const m = created.meeting;
    assert.match(m.roomId, /^room_/);
    assert.deepEqual(
      [m.creatorId, m.title, m.hasPassword, m.maxParticipants, m.status, m.endedAt],
      [A.userId, 'Standup', true, 2, 'active', 0],
    );
    assert.ok(isSec(m.startedAt) && isSec(m.createdAt) && m.roomName);
    assert.deepEqual(jwtClaims(created.token).video, { room: m.roomName, roomJoin: true });
    assert.equal(jwtClaims(created.token).sub, A.userId);

    const listed = await ok(B, 'GET /rtc/meetings');
    assert.ok(listed.meetings.some((x: any) => x.roomId === m.roomId));
    assert.ok(listed.total >= 1);
    assert.deepEqual(await ok(B, 'GET /rtc/meetings/{roomId}', { params: { roomId: m.roomId } }), m);

    await fails(B, 'POST /rtc/meetings/{roomId}/join', 403, { params: { roomId: m.roomId }, body: { password: 'wrong' } }, 'password');
    await fails(B, 'POST /rtc/meetings/{roomId}/join', 403, { params: { roomId: m.roomId }, body: {} });
    const joined = await ok(B, 'POST /rtc/meetings/{roomId}/join', { params: { roomId: m.roomId }, body: { password: 'pw-1' } });
    assert.equal(joined.meeting.roomId, m.roomId);
    assert.equal(jwtClaims(joined.token).sub, B.userId);
    assert.equal(jwtClaims(joined.token).video.room, m.roomName);
    await ok(B, 'POST /rtc/meetings/{roomId}/join', { params: { roomId: m.roomId }, body: { password: 'pw-1' } }); // again: same seat
    await fails(C, 'POST /rtc/meetings/{roomId}/join', 400, { params: { roomId: m.roomId }, body: { password: 'pw-1' } }, 'full');

    await fails(B, 'POST /rtc/meetings/{roomId}/end', 403, { params: { roomId: m.roomId } }, 'creator');
    await ok(A, 'POST /rtc/meetings/{roomId}/end', { params: { roomId: m.roomId } });
    assert.ok(!(await ok(B, 'GET /rtc/meetings')).meetings.some((x: any) => x.roomId === m.roomId), 'an ended meeting is not listed');
    const ended = await ok(A, 'GET /rtc/meetings/{roomId}', { params: { roomId: m.roomId } });
    assert.equal(ended.status, 'ended');
    assert.ok(isSec(ended.endedAt));
    await fails(B, 'POST /rtc/meetings/{roomId}/join', 400, { params: { roomId: m.roomId }, body: { password: 'pw-1' } }, 'ended');
    await ok(A, 'POST /rtc/meetings/{roomId}/end', { params: { roomId: m.roomId } }); // ending again is harmless
  });

  test('an open meeting needs no password; unknown rooms are 404; title is required', async () => {
    const { meeting } = await ok(A, 'POST /rtc/meetings', { body: { title: 'Open' } });
    assert.deepEqual([meeting.hasPassword, meeting.maxParticipants], [false, 0]);
    await ok(C, 'POST /rtc/meetings/{roomId}/join', { params: { roomId: meeting.roomId } });
    await fails(A, 'GET /rtc/meetings/{roomId}', 404, { params: { roomId: 'room_unknown' } });
    await fails(A, 'POST /rtc/meetings/{roomId}/join', 404, { params: { roomId: 'room_unknown' }, body: {} });
    await fails(A, 'POST /rtc/meetings/{roomId}/end', 404, { params: { roomId: 'room_unknown' } });
    await fails(A, 'POST /rtc/meetings', 400, { body: {} }, 'title');
    await fails(A, 'POST /rtc/meetings', 400, { body: { title: '  ' } }, 'title');
    await fails(A, 'POST /rtc/meetings', 400, { body: { title: 't', maxParticipants: -1 } }, 'maxParticipants');
    const page = await ok(A, 'GET /rtc/meetings', { query: { page: 1, pageSize: 1 } });
    assert.equal(page.meetings.length, 1);
    await ok(A, 'POST /rtc/meetings/{roomId}/end', { params: { roomId: meeting.roomId } });
  });
});

describe('RTC over gRPC (anychat.rtc.RTCService)', () => {
  test('all 11 rpcs with proto enums, over the same store as REST (GR9)', async () => {
    const init = await g(rtcClient, 'InitiateCall', { caller_id: A.userId, callee_id: B.userId, call_type: 'CALL_TYPE_VIDEO' });
    assert.match(init.call_id, /^call_/);
    assert.equal(jwtClaims(init.token).sub, A.userId);
    await inB.waitFor('livekit.call_invite', (d) => d.callId === init.call_id && d.callType === 'video');
    let cs = await g(rtcClient, 'GetCallSession', { call_id: init.call_id, user_id: B.userId });
    assert.deepEqual([cs.call_type, cs.status, cs.caller_id, cs.callee_id], ['CALL_TYPE_VIDEO', 'CALL_STATUS_RINGING', A.userId, B.userId]);
    await gFails(rtcClient, 'GetCallSession', { call_id: init.call_id, user_id: C.userId }, grpc.status.NOT_FOUND);
    const joined = await g(rtcClient, 'JoinCall', { call_id: init.call_id, user_id: B.userId });
    assert.equal(joined.room_name, init.room_name);
    assert.equal((await ok(A, 'GET /rtc/calls/{callId}', { params: { callId: init.call_id } })).status, 'connected', 'REST sees the gRPC join');
    assert.deepEqual(await g(rtcClient, 'EndCall', { call_id: init.call_id, user_id: B.userId }), {});
    cs = await g(rtcClient, 'GetCallSession', { call_id: init.call_id, user_id: A.userId });
    assert.equal(cs.status, 'CALL_STATUS_ENDED');
    assert.ok(isSec(Number(cs.ended_at)));

    const second = await g(rtcClient, 'InitiateCall', { caller_id: A.userId, callee_id: B.userId, call_type: 'CALL_TYPE_AUDIO' });
    assert.deepEqual(await g(rtcClient, 'RejectCall', { call_id: second.call_id, user_id: B.userId }), {});
    assert.equal((await g(rtcClient, 'GetCallSession', { call_id: second.call_id, user_id: A.userId })).status, 'CALL_STATUS_REJECTED');
    const logs = await g(rtcClient, 'ListCallLogs', { user_id: B.userId, page: 1, page_size: 50 });
    const ids = logs.sessions.map((x: any) => x.call_id);
    assert.ok(ids.includes(init.call_id) && ids.includes(second.call_id));
    assert.ok(Number(logs.total) >= 2);
    await gFails(rtcClient, 'InitiateCall', { caller_id: A.userId, callee_id: A.userId }, grpc.status.INVALID_ARGUMENT);
    await gFails(rtcClient, 'JoinCall', { call_id: 'call_unknown', user_id: B.userId }, grpc.status.NOT_FOUND);

    const created = await g(rtcClient, 'CreateMeeting', { creator_id: A.userId, title: 'gRPC room', password: 'sesame', max_participants: 0 });
    const room = created.meeting;
    assert.deepEqual([room.status, room.has_password, room.title], ['MEETING_STATUS_ACTIVE', true, 'gRPC room']);
    assert.equal((await g(rtcClient, 'GetMeeting', { room_id: room.room_id })).room_id, room.room_id);
    assert.ok((await g(rtcClient, 'ListMeetings', { page: 1, page_size: 100 })).meetings.some((x: any) => x.room_id === room.room_id));
    await gFails(rtcClient, 'JoinMeeting', { user_id: B.userId, room_id: room.room_id, password: 'nope' }, grpc.status.PERMISSION_DENIED);
    const jm = await g(rtcClient, 'JoinMeeting', { user_id: B.userId, room_id: room.room_id, password: 'sesame' });
    assert.equal(jwtClaims(jm.token).sub, B.userId);
    await gFails(rtcClient, 'EndMeeting', { room_id: room.room_id, creator_id: B.userId }, grpc.status.PERMISSION_DENIED);
    assert.deepEqual(await g(rtcClient, 'EndMeeting', { room_id: room.room_id, creator_id: A.userId }), {});
    assert.equal((await g(rtcClient, 'GetMeeting', { room_id: room.room_id })).status, 'MEETING_STATUS_ENDED');
    assert.equal((await ok(B, 'GET /rtc/meetings/{roomId}', { params: { roomId: room.room_id } })).status, 'ended');
    assert.ok(!(await g(rtcClient, 'ListMeetings', {})).meetings.some((x: any) => x.room_id === room.room_id));
  });

  test('raw-encoded requests reach every file and rtc rpc (no UNIMPLEMENTED)', async () => {
    for (const r of s.ctx.contracts.catalogue.rpcs.filter((x) => x.fullService === 'file.FileService' || x.fullService === 'anychat.rtc.RTCService')) {
      await rpc(r.fullService === 'file.FileService' ? fileClient : rtcClient, r.fullService, r.name, {}).then(
        () => undefined,
        (e: any) => assert.notEqual(e.code, grpc.status.UNIMPLEMENTED, `${r.path}`),
      );
    }
  });
});
