import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Http1Error, Http1Pool } from '../load/http1.js';

/**
 * The load driver's lean HTTP/1.1 client against real sockets: Node's own HTTP server for the framings it produces
 * (Content-Length, chunked, Connection: close), and a raw TCP server for what Node would not send (HTTP/1.0
 * read-to-close, interim 100, silence, an abrupt close).
 */
let http: Server;
let raw: TcpServer;
let httpUrl: URL;
let rawUrl: URL;
const rawSockets = new Set<Socket>();

before(async () => {
  http = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.write('{"code":0,');
        setTimeout(() => res.end('"data":"' + 'x'.repeat(70_000) + '"}'), 5);
      } else if (req.url === '/close') {
        res.setHeader('connection', 'close');
        res.end('bye');
      } else if (req.url === '/echo') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
      } else if (req.url === '/empty') {
        res.statusCode = 204;
        res.end();
      } else {
        res.statusCode = 404;
        res.end('{"code":404}');
      }
    });
  });
  http.keepAliveTimeout = 200; // idle connections are closed by the server: the client must notice and reconnect
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  httpUrl = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);

  raw = createTcpServer((sock) => {
    rawSockets.add(sock);
    sock.on('close', () => rawSockets.delete(sock));
    sock.once('data', (d) => {
      const path = String(d).split(' ')[1];
      if (path === '/http10') sock.end('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
      else if (path === '/continue') sock.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      else if (path === '/reset') sock.destroy();
      // '/silent': never answers
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  rawUrl = new URL(`http://127.0.0.1:${(raw.address() as AddressInfo).port}`);
});

after(async () => {
  for (const s of rawSockets) s.destroy();
  await new Promise<void>((r) => raw.close(() => r()));
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
});

test('content-length, chunked, 204 and 404 responses over reused keep-alive connections', async () => {
  const pool = new Http1Pool(httpUrl, 2, 2000);
  try {
    const echo = await pool.request('POST', '/echo', 'content-type: application/json\r\nauthorization: Bearer t0k\r\n', '{"a":"é"}');
    assert.equal(echo.status, 200);
    assert.deepEqual(JSON.parse(echo.text), { method: 'POST', body: '{"a":"é"}', auth: 'Bearer t0k' });
    const chunked = await pool.request('GET', '/chunked', '');
    assert.equal(chunked.status, 200);
    assert.equal(JSON.parse(chunked.text).data.length, 70_000);
    assert.deepEqual(await pool.request('GET', '/empty', ''), { status: 204, text: '' });
    assert.equal((await pool.request('GET', '/nowhere', '')).status, 404);
    // Many more requests than connections: they queue and all complete.
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => pool.request('POST', '/echo', '', String(i))));
    assert.deepEqual(many.map((r) => JSON.parse(r.text).body), Array.from({ length: 50 }, (_, i) => String(i)));
  } finally {
    await pool.close();
  }
});

test('Connection: close and a server-side keep-alive timeout lead to a fresh connection, not an error', async () => {
  const pool = new Http1Pool(httpUrl, 1, 2000);
  try {
    assert.equal((await pool.request('GET', '/close', '')).text, 'bye');
    assert.equal((await pool.request('GET', '/echo', '')).status, 200);
    await new Promise((r) => setTimeout(r, 400)); // the server drops the idle connection
    assert.equal((await pool.request('GET', '/echo', '')).status, 200);
  } finally {
    await pool.close();
  }
});

test('HTTP/1.0 read-to-close bodies and interim 100 responses', async () => {
  const pool = new Http1Pool(rawUrl, 1, 2000);
  try {
    assert.deepEqual(await pool.request('GET', '/http10', ''), { status: 200, text: 'until the end' });
    assert.deepEqual(await pool.request('GET', '/continue', ''), { status: 200, text: 'ok' });
  } finally {
    await pool.close();
  }
});

test('silence times out, a reset or refused connection is a network error, and close() rejects what is queued', async () => {
  const pool = new Http1Pool(rawUrl, 1, 300);
  const t0 = performance.now();
  await assert.rejects(pool.request('GET', '/silent', ''), (e: Http1Error) => e.code === 'timeout');
  assert.ok(performance.now() - t0 < 1000, 'the deadline is kept');
  await assert.rejects(pool.request('POST', '/reset', ''), (e: Http1Error) => e.code === 'closed' || e.code === 'network');
  const queued = [pool.request('GET', '/silent', ''), pool.request('GET', '/silent', '')].map((q) => q.then(() => null, (e) => e));
  await pool.close();
  for (const e of await Promise.all(queued)) assert.ok(e instanceof Http1Error && (e.code === 'closed' || e.code === 'network'), String(e));

  const closedPort = await new Promise<number>((resolve) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const refused = new Http1Pool(new URL(`http://127.0.0.1:${closedPort}`), 1, 2000);
  await assert.rejects(refused.request('GET', '/', ''), (e: Http1Error) => e.code === 'network' && /ECONNREFUSED/.test(e.message));
  await refused.close();
});
