import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { ServerContext } from '../../reference-server/context.js';
import { loadPackageDefinition } from '../../reference-server/grpc/host.js';
import type { RunningServer } from '../../reference-server/server.js';

/** Small real clients for the reference server's own tests: REST (validated against the contract), gRPC, WebSocket. */

export interface RestResult {
  status: number;
  body: any;
}

export interface CallOpts {
  body?: unknown;
  /** An access/admin token (sent as `Bearer <token>`). */
  token?: string;
  /** A raw Authorization header value (overrides `token`). */
  auth?: string;
  query?: Record<string, string | number>;
  params?: Record<string, string | number>;
}

/**
 * Call a contract operation by its key ('POST /auth/login') and check the answer against the contract: the response body
 * must validate against the schema declared for the returned status (or the envelope), success ⇒ code 0, failure ⇒ a
 * non-zero code and no `data`.
 */
export function restClient(s: RunningServer) {
  return async function call(key: string, opts: CallOpts = {}): Promise<RestResult> {
    const [method, template] = key.split(' ') as [string, string];
    let path = template.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(String(opts.params?.[n] ?? '')));
    if (opts.query) path += `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)]))}`;
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.auth !== undefined) headers.authorization = opts.auth;
    else if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${s.baseUrl}${path}`, {
      method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(10_000),
    });
    const body: any = await res.json();
    const issues = s.ctx.contracts.validators.restResponse(key, res.status)(body);
    assert.deepEqual(issues, [], `${key} → ${res.status} ${JSON.stringify(body)} violates the contract`);
    if (res.status === 200 && body.code === 0) assert.ok('data' in body, `${key}: success without data`);
    else {
      assert.notEqual(body.code, 0, `${key}: failure status ${res.status} with code 0`);
      assert.ok(!('data' in body), `${key}: failure envelope carries data`);
    }
    return { status: res.status, body };
  };
}

export type Call = ReturnType<typeof restClient>;

let seq = 0;
/** A unique phone/email pair for this process. */
export function uniqueIdentity(): { phone: string; email: string; tag: string } {
  seq += 1;
  const tag = `${process.pid % 10000}${String(Date.now()).slice(-4)}${String(seq).padStart(3, '0')}`.slice(-9).padStart(9, '0');
  return { phone: `13${tag}`, email: `t${tag}@example.com`, tag };
}

export interface Registered {
  userId: string;
  phone: string;
  email: string;
  password: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(call: Call, over: Record<string, unknown> = {}): Promise<Registered> {
  const id = uniqueIdentity();
  const body = {
    phoneNumber: id.phone, email: id.email, password: 'Passw0rd123', verifyCode: '123456',
    deviceId: `dev-${id.tag}`, deviceType: 'ios', clientVersion: '1.0.0', nickname: `nick${id.tag}`, ...over,
  };
  const r = await call('POST /auth/register', { body });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return {
    userId: r.body.data.userId, phone: body.phoneNumber as string, email: body.email as string, password: body.password as string,
    deviceId: body.deviceId as string, accessToken: r.body.data.accessToken, refreshToken: r.body.data.refreshToken,
  };
}

/** A unary gRPC client for one contract service; every call has a 5 s deadline and its response is checked against the proto. */
export function grpcClient(s: RunningServer, fullService: string) {
  const def = loadPackageDefinition(s.ctx as ServerContext);
  const Ctor = grpc.makeGenericClientConstructor(def[fullService] as grpc.ServiceDefinition, fullService);
  const client = new Ctor(s.grpcAddress!, grpc.credentials.createInsecure());
  const rpcs = s.ctx.contracts.catalogue.rpcs.filter((r) => r.fullService === fullService);
  return {
    call(rpc: string, req: Record<string, unknown>): Promise<any> {
      const meta = rpcs.find((r) => r.name === rpc);
      if (!meta) throw new Error(`${fullService}/${rpc} is not in the contract`);
      return new Promise((resolve, reject) => {
        (client as any)[rpc](req, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, res: unknown) => {
          if (err) return reject(err);
          const issues = s.ctx.contracts.validators.protoMessage(meta.responseType)(res);
          if (issues.length > 0) return reject(new Error(`${meta.cite}: response violates ${meta.responseType}: ${issues[0]!.message}`));
          resolve(res);
        });
      });
    },
    close: () => client.close(),
  };
}

/** Expect a gRPC call to fail with `code`. */
export async function rejectsWith(p: Promise<unknown>, code: grpc.status): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    const err = e as grpc.ServiceError;
    assert.equal(err.code, code, `expected gRPC status ${grpc.status[code]}, got ${grpc.status[err.code]}: ${err.details}`);
    return err;
  }
  assert.fail(`expected gRPC status ${grpc.status[code]}, the call succeeded`);
}

/** A WebSocket of one user that records every notification frame. */
export async function wsConnect(s: RunningServer, token: string) {
  const socket = new WebSocket(`${s.wsUrl}?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  let closed: { code: number } | null = null;
  socket.on('message', (d) => frames.push(JSON.parse(String(d))));
  socket.on('close', (code) => { closed = { code }; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('ws open timed out')), 5000);
    socket.once('open', () => { clearTimeout(t); resolve(); });
    socket.once('error', (e) => { clearTimeout(t); reject(e); });
  });
  const waitUntil = async <T>(what: string, get: () => T | undefined, timeoutMs = 3000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    frames,
    /** The first notification of `type` (waits up to 3 s); its frame is validated against the AsyncAPI. */
    async notification(type: string): Promise<any> {
      const f = await waitUntil(`notification ${type}`, () => frames.find((x) => x.type === 'notification' && x.payload?.notificationType === type));
      assert.deepEqual(s.ctx.contracts.validators.wsFrame('subscribe')(f).issues, []);
      return f.payload.data;
    },
    waitClosed: () => waitUntil('socket close', () => closed ?? undefined),
    close: () => socket.close(),
  };
}
