import { Pool } from 'undici';
import WebSocket from 'ws';
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

/**
 * A lean HTTP client for load (undici Pool, keep-alive, no validation): every request has a timeout and records
 * `http.<METHOD> <path template>` latency and errors by kind.
 */
export class LoadHttp {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(private readonly target: LoadTarget, private readonly metrics: Metrics, connections = 64, private readonly timeoutMs = 10_000) {
    const u = new URL(target.restBase);
    this.pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.basePath = u.pathname;
  }

  /** `name` is the operation key for metrics ('POST /auth/login'); `path` the concrete path. */
  async request(name: string, method: string, path: string, opts: { body?: unknown; token?: string; scheduledAt?: number; expectedIntervalMs?: number } = {}): Promise<HttpResult> {
    const started = opts.scheduledAt ?? performance.now();
    try {
      const res = await this.pool.request({
        method: method as any,
        path: `${this.basePath}${path}`,
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      const latency = performance.now() - started;
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const ok = res.statusCode === 200 && body?.code === 0;
      this.metrics.latency(`http.${name}`, latency, opts.expectedIntervalMs);
      this.metrics.count('http.requests');
      if (!ok) this.metrics.error(res.statusCode >= 500 ? 'http.5xx' : res.statusCode >= 400 ? 'http.4xx' : body === undefined ? 'http.not-json' : 'http.error-envelope');
      return { status: res.statusCode, body, ok };
    } catch (e) {
      this.metrics.count('http.requests');
      this.metrics.error((e as any)?.code === 'UND_ERR_HEADERS_TIMEOUT' || (e as any)?.code === 'UND_ERR_BODY_TIMEOUT' ? 'http.timeout' : 'http.network');
      return { status: 0, body: undefined, ok: false };
    }
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => undefined);
  }
}

/** A load WebSocket: connects with ?token= within a timeout and hands every parsed frame to `onFrame`. */
export class LoadSocket {
  private socket: WebSocket | undefined;
  onFrame: (frame: any, receivedAt: number) => void = () => undefined;
  closed = false;

  constructor(private readonly target: LoadTarget, private readonly metrics: Metrics, private readonly timeoutMs = 10_000) {}

  async connect(token: string): Promise<this> {
    const started = performance.now();
    const socket = new WebSocket(`${this.target.wsUrl}?token=${encodeURIComponent(token)}`, { handshakeTimeout: this.timeoutMs, perMessageDeflate: false });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (e) => reject(e));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    }).catch((e) => {
      this.metrics.error('ws.connect');
      throw e;
    });
    this.metrics.latency('ws.connect', performance.now() - started);
    socket.on('message', (raw) => {
      const at = performance.now();
      try {
        this.onFrame(JSON.parse(String(raw)), at);
      } catch {
        this.metrics.error('ws.bad-frame');
      }
    });
    socket.on('close', () => {
      if (!this.closed) this.metrics.error('ws.dropped');
      this.closed = true;
    });
    socket.on('error', () => undefined);
    return this;
  }

  send(frame: unknown): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
