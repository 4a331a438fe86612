import WebSocket from 'ws';
import { Http1Error, Http1Pool } from './http1.js';
import type { Metrics } from './metrics.js';

/** The target of a load run, derived from one base URL like the harness does (REST /api/v1, WS /api/v1/ws). */
export interface LoadTarget {
  url: string;
  restBase: string;
  wsUrl: string;
}

export function loadTarget(url: string): LoadTarget {
  const u = url.replace(/\/+$/, '');
  return { url: u, restBase: `${u}/api/v1`, wsUrl: `${u.replace(/^http/, 'ws')}/api/v1/ws` };
}

export interface HttpResult {
  status: number;
  body: any;
  ok: boolean;
}

/** One line saying why a request failed (for setup errors and samples). */
export function describeFailure(op: string, r: HttpResult): string {
  if (r.status === 0) return `${op}: ${r.body?.message ?? 'network error'}`;
  return `${op}: HTTP ${r.status}${r.body?.code !== undefined ? ` code ${r.body.code}` : ''}${r.body?.message ? ` ${JSON.stringify(String(r.body.message).slice(0, 200))}` : ''}`;
}

/**
 * The load HTTP client (keep-alive connection pool, no validation): every request has a timeout and records
 * `http.<METHOD> <path template>` latency and errors by kind (`http.<status>`, `http.error-envelope`, `http.timeout`,
 * `http.network`).
 */
export class LoadHttp {
  private readonly pool: Http1Pool;
  private readonly basePath: string;
  private readonly jsonHeaders = new Map<string, string>();
  private readonly plainHeaders = new Map<string, string>();

  constructor(target: LoadTarget, private readonly metrics: Metrics, connections = 64, timeoutMs = 10_000) {
    const u = new URL(target.restBase);
    this.pool = new Http1Pool(u, connections, timeoutMs);
    this.basePath = u.pathname;
  }

  /** `name` is the operation key for metrics ('POST /auth/login'); `path` the concrete path. */
  async request(name: string, method: string, path: string, opts: { body?: unknown; token?: string; scheduledAt?: number; expectedIntervalMs?: number } = {}): Promise<HttpResult> {
    const started = opts.scheduledAt ?? performance.now();
    this.metrics.count('http.requests');
    this.metrics.count('ops');
    try {
      const res = await this.pool.request(method, `${this.basePath}${path}`, this.headers(opts.token, opts.body !== undefined), opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const latency = performance.now() - started;
      let body: any;
      try {
        body = JSON.parse(res.text);
      } catch {
        body = undefined;
      }
      const ok = res.status === 200 && body?.code === 0;
      this.metrics.latency(`http.${name}`, latency, opts.expectedIntervalMs);
      if (!ok) this.metrics.error(res.status !== 200 ? `http.${res.status}` : body === undefined ? 'http.not-json' : 'http.error-envelope');
      return { status: res.status, body, ok };
    } catch (e) {
      this.metrics.error(e instanceof Http1Error && e.code === 'timeout' ? 'http.timeout' : 'http.network');
      return { status: 0, body: { message: (e as Error)?.message ?? String(e) }, ok: false };
    }
  }

  /** Header lines are built once per token (a load sends the same few thousand over and over). */
  private headers(token: string | undefined, json: boolean): string {
    const cache = json ? this.jsonHeaders : this.plainHeaders;
    const key = token ?? '';
    let h = cache.get(key);
    if (h === undefined) {
      h = `${json ? 'content-type: application/json\r\n' : ''}${token ? `authorization: Bearer ${token}\r\n` : ''}`;
      if (cache.size > 100_000) cache.clear();
      cache.set(key, h);
    }
    return h;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

interface PendingPing {
  scheduledAt: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve(ok: boolean): void;
}

/**
 * A load WebSocket: connects with ?token= within a timeout (handshake and TCP alike), hands every parsed frame to
 * `onFrame`, answers ping() with the next pong (pongs carry no id, so they match pings first in, first out), and
 * reports a close it did not ask for through `onDrop` and the `ws.dropped` error.
 */
export class LoadSocket {
  private socket: WebSocket | undefined;
  private readonly pings: PendingPing[] = [];
  onFrame: (frame: any, receivedAt: number) => void = () => undefined;
  onDrop: () => void = () => undefined;
  closed = false;

  /** where connect time, pongs and errors go; the engine moves setup-phase sockets to the load metrics at the start */
  constructor(private readonly target: LoadTarget, public metrics: Metrics, private readonly timeoutMs = 10_000) {}

  async connect(token: string, opts: { metricName?: string } = {}): Promise<this> {
    const started = performance.now();
    this.metrics.count('ops');
    const socket = new WebSocket(`${this.target.wsUrl}?token=${encodeURIComponent(token)}`, { handshakeTimeout: this.timeoutMs, perMessageDeflate: false });
    this.socket = socket;
    socket.on('error', () => undefined); // every error also closes the socket; 'close' is what we act on
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no WebSocket handshake within ${this.timeoutMs} ms`), { code: 'timeout' })), this.timeoutMs);
        socket.once('open', () => resolve());
        socket.once('error', (e) => reject(e));
        socket.once('unexpected-response', (_req, res) => {
          res.resume();
          reject(Object.assign(new Error(`upgrade refused with HTTP ${res.statusCode}`), { code: 'refused' }));
        });
      });
    } catch (e) {
      clearTimeout(timer);
      this.closed = true;
      socket.terminate();
      this.metrics.error((e as any)?.code === 'timeout' ? 'ws.connect-timeout' : (e as any)?.code === 'refused' ? 'ws.connect-refused' : 'ws.connect');
      throw e;
    }
    clearTimeout(timer);
    this.metrics.latency(opts.metricName ?? 'ws.connect', performance.now() - started);
    socket.on('message', (raw) => {
      const at = performance.now();
      let frame: any;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        this.metrics.error('ws.bad-frame');
        return;
      }
      if (frame?.type === 'pong') this.pong(at);
      else this.onFrame(frame, at);
    });
    socket.on('close', () => {
      const unexpected = !this.closed;
      this.closed = true;
      for (const p of this.pings.splice(0)) {
        clearTimeout(p.timer);
        if (!p.settled) p.resolve(false);
        p.settled = true;
      }
      if (unexpected) {
        this.metrics.error('ws.dropped');
        this.onDrop();
      }
    });
    return this;
  }

  get open(): boolean {
    return !!this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: unknown): boolean {
    if (!this.open) return false;
    this.socket!.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Send a ping scheduled at `scheduledAt` (performance.now() time) and record `ws.pong` latency from then; resolves
   * false on timeout or close (the error is counted).
   */
  ping(scheduledAt = performance.now()): Promise<boolean> {
    this.metrics.count('ops');
    if (!this.send({ type: 'ping' })) {
      this.metrics.error('ws.not-open');
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      const entry: PendingPing = { scheduledAt, settled: false, resolve, timer: undefined as unknown as NodeJS.Timeout };
      // A timed-out ping stays queued (settled) so a late pong still pairs with it rather than with the next ping.
      entry.timer = setTimeout(() => {
        entry.settled = true;
        this.metrics.error('ws.pong-timeout');
        resolve(false);
      }, this.timeoutMs);
      this.pings.push(entry);
    });
  }

  private pong(at: number): void {
    const p = this.pings.shift();
    if (!p || p.settled) return;
    clearTimeout(p.timer);
    p.settled = true;
    this.metrics.latency('ws.pong', at - p.scheduledAt);
    p.resolve(true);
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }
}

/** Wait `ms`, or less when `signal` aborts (the abort listener is removed either way). */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** `promise`'s value, or null when it has not settled within `ms` (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
