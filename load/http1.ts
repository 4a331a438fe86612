import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A lean keep-alive HTTP/1.1 client for load generation: a fixed pool of connections, one request in flight per
 * connection, requests written as one string, responses parsed just enough (status, Content-Length or chunked, or
 * read-to-close; Connection: close honoured). Measured against undici's Pool.request on the same endpoint it costs
 * about 20 instead of 35 µs of CPU per request (kernel share included) — which is what lets a Node driver get within
 * reach of `wrk` when it shares the machine with the target (bench/load-http.bench.ts).
 * Every request has one deadline covering connect, write, headers and body; on expiry the connection is destroyed.
 */
export interface Http1Response {
  status: number;
  text: string;
}

export class Http1Error extends Error {
  constructor(message: string, readonly code: 'timeout' | 'network' | 'protocol' | 'closed') {
    super(message);
  }
}

interface Pending {
  method: string;
  raw: string;
  resolve(r: Http1Response): void;
  reject(e: Error): void;
  /** performance.now() deadline */
  deadline: number;
  retried?: boolean;
}

/** Deadlines are checked by one sweep per pool rather than a timer per request (cheaper; ±SWEEP_MS precision). */
const SWEEP_MS = 100;

const MAX_HEAD = 64 * 1024;

/** The value of header `name` in a lowercased header block (status line first), or undefined. */
function headerValue(lowerHead: string, name: string): string | undefined {
  const i = lowerHead.indexOf(`\r\n${name}:`);
  if (i < 0) return undefined;
  const from = i + name.length + 3;
  const to = lowerHead.indexOf('\r\n', from);
  return lowerHead.slice(from, to < 0 ? undefined : to).trim();
}

class Connection {
  readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  current: Pending | undefined;
  /** a response has been (partly) received on this connection: a failure before any byte of it is a stale socket */
  private used = false;
  private gotBytes = false;
  private mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
  private status = 0;
  private length = 0;
  private closeAfter = false;
  private chunks: Buffer[] = [];
  dead = false;

  constructor(private readonly pool: Http1Pool, url: URL) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.socket = url.protocol === 'https:' ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.fail(new Http1Error(e.code ? `${e.code} ${e.message}` : e.message, 'network')));
    this.socket.on('close', () => {
      if (this.mode === 'close' && this.current && this.gotBytes) return this.complete(Buffer.concat(this.chunks));
      this.fail(new Http1Error('connection closed by the server', 'closed'));
    });
  }

  send(p: Pending): void {
    this.current = p;
    this.gotBytes = false;
    this.mode = 'head';
    this.chunks = [];
    this.socket.write(p.raw);
  }

  private fail(e: Http1Error): void {
    if (this.dead) return;
    this.dead = true;
    this.socket.destroy();
    const p = this.current;
    this.current = undefined;
    this.pool.lost(this);
    if (!p) return;
    // A reused keep-alive connection that the server had just closed: retry a GET once on a fresh one.
    if (this.used && !this.gotBytes && !p.retried && p.method === 'GET' && e.code !== 'timeout') {
      p.retried = true;
      return this.pool.enqueue(p, true);
    }
    p.reject(e);
  }

  timeout(): void {
    this.fail(new Http1Error('no complete response within the timeout', 'timeout'));
  }

  private onData(d: Buffer): void {
    if (!this.current) return void this.fail(new Http1Error('data without a request', 'protocol'));
    this.gotBytes = true;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    try {
      this.parse();
    } catch (e) {
      this.fail(new Http1Error(`bad HTTP response: ${(e as Error).message}`, 'protocol'));
    }
  }

  private parse(): void {
    for (;;) {
      if (this.mode === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buf.length > MAX_HEAD) throw new Error('header block too large');
          return;
        }
        const head = this.buf.toString('latin1', 0, end);
        this.buf = this.buf.subarray(end + 4);
        const status = Number(head.slice(9, 12));
        if (!head.startsWith('HTTP/1.') || !Number.isInteger(status)) throw new Error(`status line ${JSON.stringify(head.split('\r\n')[0])}`);
        if (status >= 100 && status < 200) continue; // interim response
        this.status = status;
        // Only three headers matter; find them in the lowercased block rather than splitting every line.
        const lower = head.toLowerCase();
        const cl = headerValue(lower, 'content-length');
        let length = cl === undefined ? -1 : Number(cl);
        const chunked = headerValue(lower, 'transfer-encoding')?.includes('chunked') ?? false;
        const connection = headerValue(lower, 'connection');
        this.closeAfter = connection !== undefined ? connection.includes('close') : head.startsWith('HTTP/1.0');
        if (status === 204 || status === 304 || this.current!.method === 'HEAD') length = 0;
        if (chunked) this.mode = 'chunked';
        else if (length >= 0) {
          this.mode = 'length';
          this.length = length;
        } else {
          this.mode = 'close';
          this.closeAfter = true;
        }
      }
      if (this.mode === 'length') {
        if (this.buf.length < this.length) return;
        const body = this.buf.subarray(0, this.length);
        this.buf = this.buf.subarray(this.length);
        return this.complete(body);
      }
      if (this.mode === 'chunked') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const size = parseInt(this.buf.toString('latin1', 0, eol).split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('bad chunk size');
        if (size === 0) {
          const end = this.buf.indexOf('\r\n\r\n', eol - 2 < 0 ? 0 : eol - 2);
          if (end < 0) return; // trailers not complete yet
          this.buf = this.buf.subarray(end + 4);
          return this.complete(Buffer.concat(this.chunks));
        }
        if (this.buf.length < eol + 2 + size + 2) return;
        this.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
        this.buf = this.buf.subarray(eol + 2 + size + 2);
        continue;
      }
      if (this.mode === 'close') {
        if (this.buf.length) this.chunks.push(this.buf);
        this.buf = Buffer.alloc(0);
        return;
      }
    }
  }

  private complete(body: Buffer): void {
    const p = this.current!;
    this.current = undefined;
    this.used = true;
    this.mode = 'head';
    p.resolve({ status: this.status, text: body.toString('utf8') });
    if (this.closeAfter) {
      this.dead = true;
      this.socket.destroy();
      this.pool.lost(this);
    } else {
      this.pool.idle(this);
    }
  }
}

export class Http1Pool {
  private readonly free: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private readonly hostHeader: string;
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly origin: URL, private readonly connections: number, private readonly timeoutMs: number) {
    this.hostHeader = origin.host;
  }

  /** `headers`: extra header lines, each ending in \r\n (built once per token by the caller). */
  request(method: string, path: string, headers: string, body?: string): Promise<Http1Response> {
    const raw = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n${headers}${body !== undefined ? `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : method === 'GET' || method === 'HEAD' ? '\r\n' : 'content-length: 0\r\n\r\n'}`;
    return new Promise<Http1Response>((resolve, reject) => {
      if (this.closed) return reject(new Http1Error('client closed', 'closed'));
      // unref: in-flight requests keep the process alive through their sockets, the sweeper alone must not
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
      this.enqueue({ method, raw, resolve, reject, deadline: performance.now() + this.timeoutMs }, false);
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i]!;
      if (p.deadline > now) continue;
      this.queue.splice(i, 1);
      p.reject(new Http1Error('no free connection within the timeout', 'timeout'));
    }
    for (const c of this.all) if (c.current && c.current.deadline <= now) c.timeout();
  }

  /** @internal */
  enqueue(p: Pending, front: boolean): void {
    if (front) this.queue.unshift(p);
    else this.queue.push(p);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let c = this.free.pop();
      if (!c && this.all.size < this.connections && !this.closed) {
        c = new Connection(this, this.origin);
        this.all.add(c);
      }
      if (!c) return;
      c.send(this.queue.shift()!);
    }
  }

  /** @internal */
  idle(c: Connection): void {
    this.free.push(c);
    this.pump();
  }

  /** @internal */
  lost(c: Connection): void {
    this.all.delete(c);
    const i = this.free.indexOf(c);
    if (i >= 0) this.free.splice(i, 1);
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const p of this.queue.splice(0)) p.reject(new Http1Error('client closed', 'closed'));
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.free.length = 0;
  }
}
