import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { OPENAPI_FILE, pointer } from '../../contracts/index.js';
import { expectThat, fail } from '../../fixtures/failure.js';
import { str } from '../../fixtures/read.js';
import { messageCite, WS_CHANNEL_CITE, WS_TOKEN_CITE, wsUrlWithToken } from '../../fixtures/ws-client.js';
import { check, test } from '../check.js';

/**
 * Browser readiness (MAY): a web page served from another origin can use the API the way a web client would —
 * the WebSocket with ?token= (browsers cannot set headers on it) and a REST call with the Authorization header,
 * which forces a CORS preflight. Runs in Debian's headless chromium; skipped when it is not installed.
 */

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
test.skip(!existsSync(chromium), `chromium not found at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`);

const ME_CITE = `${OPENAPI_FILE}#${pointer('paths', '/users/me', 'get')}`;
const BEARER_CITE = `${OPENAPI_FILE}#${pointer('components', 'securitySchemes', 'BearerAuth')}`;

/** A one-page static site on 127.0.0.1, port 0: a different port is a different origin from the target. */
async function otherOrigin(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>anychat-conform browser readiness</title><p>conform</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function onOtherOrigin<T>(page: Page, timeoutMs: number, fn: (origin: string) => Promise<T>): Promise<T> {
  const { origin, server } = await otherOrigin();
  try {
    await page.goto(`${origin}/`, { timeout: timeoutMs });
    return await fn(origin);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

check({
  id: 'BROWSER.1', level: 'MAY', title: 'a page on another origin opens the WebSocket with ?token= and gets a pong for its ping',
  cites: [WS_CHANNEL_CITE, WS_TOKEN_CITE, messageCite('Pong')],
}, async ({ page, newUser, target, contracts, recorder }) => {
  const user = await newUser();
  const url = wsUrlWithToken(target.wsUrl, user.accessToken);
  const started = Date.now();
  const result = await onOtherOrigin(page, target.timeoutMs, (origin) => page.evaluate(({ url, timeoutMs }) => new Promise<any>((resolve) => {
    const frames: string[] = [];
    let stage = 'connecting';
    const ws = new WebSocket(url);
    const done = (r: object) => { clearTimeout(timer); try { ws.close(); } catch { /* closed */ } resolve({ stage, frames, ...r }); };
    const timer = setTimeout(() => done({ ok: false, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
    ws.onopen = () => { stage = 'open, ping sent'; ws.send('{"type":"ping"}'); };
    ws.onmessage = (e) => {
      frames.push(String(e.data));
      try { if (JSON.parse(String(e.data)).type === 'pong') done({ ok: true }); } catch { /* validated in node */ }
    };
    ws.onerror = () => { stage += ' (error event)'; };
    ws.onclose = (e) => done({ ok: false, error: `closed with code ${e.code}` });
  }), { url, timeoutMs: target.timeoutMs }).then((r) => ({ ...r, origin })));
  recorder.exchange({ protocol: 'ws', label: `browser (${result.origin}): ws ping → pong`, request: { url, frame: { type: 'ping' } }, response: result, durationMs: Date.now() - started });
  expectThat(result.ok, {
    message: `chromium on origin ${result.origin} did not get a pong over the WebSocket (${result.stage}: ${result.error})`,
    expected: 'upgrade, then a pong frame', observed: result, cite: WS_TOKEN_CITE,
  });
  const validate = contracts.validators.wsFrame('subscribe');
  for (const text of result.frames as string[]) {
    let frame: unknown;
    try { frame = JSON.parse(text); } catch { fail({ message: 'the browser received a frame that is not JSON', observed: text, cite: WS_CHANNEL_CITE }); }
    const { issues } = validate(frame);
    if (issues.length) fail({ message: `frame received in the browser violates the AsyncAPI contract: ${issues[0]!.message}`, observed: frame, cite: issues[0]!.cite });
  }
});

check({
  id: 'BROWSER.2', level: 'MAY', title: 'a page on another origin can call GET /users/me with the Authorization header (CORS preflight allowed)',
  cites: [ME_CITE, BEARER_CITE],
}, async ({ page, newUser, target, contracts, recorder }) => {
  const user = await newUser();
  const url = `${target.restBase}/users/me`;
  const started = Date.now();
  const result = await onOtherOrigin(page, target.timeoutMs, (origin) => page.evaluate(async ({ url, token, timeoutMs }) => {
    try {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* reported as not JSON */ }
      return { ok: true, status: res.status, body };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }, { url, token: user.accessToken, timeoutMs: target.timeoutMs }).then((r) => ({ ...r, origin })));
  const replay = `curl -si -X OPTIONS '${url}' -H 'Origin: ${result.origin}' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'`;
  recorder.exchange({ protocol: 'rest', label: `browser (${result.origin}): GET /users/me`, request: { url, headers: { Authorization: 'Bearer …' } }, response: result, status: (result as any).status, replay, durationMs: Date.now() - started });
  expectThat(result.ok === true, {
    message: `fetch from origin ${result.origin} failed — the CORS preflight or the response's CORS headers do not allow it`,
    expected: 'the preflight allows Authorization from another origin, and the response carries Access-Control-Allow-Origin', observed: result, cite: BEARER_CITE, replay,
  });
  const r = result as { status: number; body: any };
  expectThat(r.status === 200 && str(r.body?.data, 'userId') === user.userId, {
    message: 'GET /users/me from the browser did not return the caller\'s profile', expected: { status: 200, data: { userId: user.userId } }, observed: r, cite: ME_CITE, replay,
  });
  const issues = contracts.validators.restResponse('GET /users/me', 200)(r.body);
  if (issues.length) fail({ message: `GET /users/me response in the browser violates the contract: ${issues[0]!.message}`, observed: r.body, cite: issues[0]!.cite, replay });
});
