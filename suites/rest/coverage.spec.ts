import { ConformanceFailure } from '../../fixtures/failure.js';
import type { FailureDetail } from '../../fixtures/recorder.js';
import type { RestResponse } from '../../fixtures/rest-client.js';
import { check } from '../check.js';
import {
  ANY_STATUS, bases, boundaryCases, describeCase, describeFramework, failAll, frameworkCases, frameworkCite, isFailureEnvelope,
  isLast, sendAll, sendFramework, slowest, type FrameworkKind,
} from './coverage.js';
import { block, catalogue, opCite } from './support.js';
import { World } from './world.js';

/**
 * The REST coverage phase (issue 15): boundary values of every parameter and body field of every operation, router- and
 * framework-level requests, and bodiless calls sent the way SDKs send them. Seeded (ANYCHAT_SEED); every exchange is
 * recorded with a curl line, and a failure lists each failing case with its replay.
 */

const RFC_405 = 'https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6';
const ENVELOPE_CITE = 'http/openapi.json#/components/schemas/github_com_anychat_server_pkg_response.Response';
/** Too-large requests: a server may answer and close, or close at once (RFC 9110 §15.5.14, §15.5.15; RFC 6585 §5). */
const MAY_CLOSE: FrameworkKind[] = ['body-too-large', 'url-too-long'];

/** The phase's own timeout: it sends several hundred requests, some of which hash passwords on the server. */
const PHASE_TIMEOUT_MS = 180_000;

const observed = (res: RestResponse) => ({ status: res.status, body: res.body });

check({
  id: 'REST.COV.NO5XX', level: 'MUST', cites: [ENVELOPE_CITE, 'http/openapi.json#/paths'],
  title: 'no input — boundary values of every parameter and body field, router- and framework-level requests — gets a 5xx or no answer',
}, async ({ api, target, recorder, ws, contracts }, testInfo) => {
  testInfo.setTimeout(Math.max(testInfo.timeout, PHASE_TIMEOUT_MS));
  const world = new World(api, target, testInfo.workerIndex, ws);
  const reqs = await bases(world);
  const cases = boundaryCases(contracts, reqs, target.seed);
  const fw = frameworkCases(reqs, target.seed, reqs.get('GET /users/me')?.as ?? null);
  const started = Date.now();
  const sent = await sendAll(api, cases);
  const fwSent = await sendFramework(api, fw);
  recorder.warn(`REST.COV.NO5XX: ${sent.length} boundary + ${fwSent.length} framework requests over ${reqs.size} operations in ${Date.now() - started} ms (seed ${target.seed}); slowest: ${slowest(sent)}`);
  for (const [k, why] of world.unavailable) recorder.warn(`${k}: no boundary cases (${why})`);
  // An operation that answers 5xx to its valid base request too is broken on valid input: REST.HG2 owns that, and
  // its boundary values cannot be judged here (one deviation, one owner).
  const downOnValid = new Set<string>();
  for (const op of new Set(sent.filter((x) => (x.res?.status ?? 0) >= 500).map((x) => x.c.op))) {
    const base = reqs.get(op);
    if (!base) continue;
    const res = await api.collecting([]).as(base.as).call(op, { ...base.base, allowStatus: ANY_STATUS, why: '(its valid base request)' }).catch(() => null);
    if (res && res.status >= 500) {
      downOnValid.add(op);
      recorder.warn(`${op}: not judged — it answers HTTP ${res.status} to a valid request too (REST.HG2 reports that)`);
    }
  }
  const failures: FailureDetail[] = [];
  for (const { c, res, error } of sent) {
    if (downOnValid.has(c.op)) continue;
    if (error) failures.push({ ...error, message: `${describeCase(c)}: ${error.message.split('\n')[0]}`, expected: 'an HTTP answer below 500' });
    else if (res && res.status >= 500) failures.push({ message: `${describeCase(c)} → HTTP ${res.status}`, expected: 'a status below 500 (a 4xx failure envelope or a success)', observed: observed(res), cite: opCite(c.op), replay: res.replay });
  }
  for (const { c, res } of fwSent) {
    if (res.status === 0 && MAY_CLOSE.includes(c.kind)) recorder.warn(`${describeFramework(c)}: connection closed without an answer (${res.text})`);
    else if (res.status === 0 || res.status >= 500) {
      failures.push({ message: `${describeFramework(c)} → ${res.status ? `HTTP ${res.status}` : `no answer (${res.text})`}`, expected: 'a status below 500', observed: { status: res.status, body: res.body ?? res.text.slice(0, 300) }, cite: frameworkCite(c), replay: res.replay });
    }
  }
  if (sent.length + fwSent.length === 0) nothingJudged(world, 'no boundary or framework request could be built', 'REST.HG2');
  failAll(failures, sent.length + fwSent.length, 'boundary and framework requests', target.seed);
});

check({
  id: 'REST.COV.REJECT', level: 'SHOULD', cites: ['http/openapi.json#/paths', 'http/openapi.json#/components/schemas'],
  title: 'schema-violating parameter values (empty, null, repeated, fractional, beyond int64/int32 or minimum/maximum) are rejected with a failure envelope',
}, async ({ api, target, recorder, ws, contracts }, testInfo) => {
  testInfo.setTimeout(Math.max(testInfo.timeout, PHASE_TIMEOUT_MS));
  const world = new World(api, target, testInfo.workerIndex, ws);
  const reqs = await bases(world);
  const sent = await sendAll(api, boundaryCases(contracts, reqs, target.seed, (c) => c.verdict === 'reject'));
  const failures: FailureDetail[] = [];
  let judged = 0;
  for (const { c, res } of sent) {
    if (!res || res.status >= 500) continue; // no answer / 5xx: REST.COV.NO5XX's to report
    judged++;
    const cite = opCite(c.op, 'parameters');
    if (res.ok || res.code === 0) {
      failures.push({ message: `${describeCase(c)} was accepted (HTTP ${res.status}, code 0)`, expected: `a failure envelope (4xx${target.strict ? '' : ' or 200 with code ≠ 0'}) naming the invalid value`, observed: observed(res), cite, replay: res.replay });
    } else if (!isFailureEnvelope(res.body)) {
      failures.push({ message: `${describeCase(c)}: HTTP ${res.status} without the failure envelope`, expected: '{code ≠ 0, message}', observed: observed(res), cite, replay: res.replay });
    } else if (!(res.status >= 400 && res.status < 500) && !(res.status === 200 && !target.strict)) {
      failures.push({ message: `${describeCase(c)}: rejected with HTTP ${res.status}`, expected: `HTTP 4xx${target.strict ? '' : ' (or 200 with code ≠ 0)'}`, observed: observed(res), cite, replay: res.replay });
    }
  }
  recorder.warn(`REST.COV.REJECT: ${sent.length} schema-violating values over ${reqs.size} operations, ${judged} judged (seed ${target.seed})`);
  if (judged === 0) nothingJudged(world, 'no schema-violating value got an answer below 500: nothing was judged', 'REST.COV.NO5XX');
  failAll(failures, judged, 'schema-violating values', target.seed);
});

/**
 * Operations where accepting an edge value touches only the caller's own data. Registration and login are left out
 * (their field formats are not in the contract: contract-notes I18), as is every operation that consumes state.
 */
const ACCEPT_OPS = new Set([
  'PUT /users/me', 'PUT /users/me/settings', 'POST /users/me/push-token', 'PUT /groups/{id}', 'POST /groups', 'PUT /groups/{id}/nickname',
  'PUT /friends/{id}/remark', 'POST /rtc/meetings', 'POST /files/upload-token', 'POST /sync', 'POST /sync/messages',
]);

check({
  id: 'REST.COV.ACCEPT', level: 'MAY', assumed: true, cites: ['http/openapi.json#/paths', 'http/openapi.json#/components/schemas'],
  title: 'schema-valid edge values (declared bounds, int64 max, exactly maxLength in ASCII and CJK, every enum value, an unknown property) are accepted',
}, async ({ api, target, recorder, ws, contracts }, testInfo) => {
  testInfo.setTimeout(Math.max(testInfo.timeout, PHASE_TIMEOUT_MS));
  const world = new World(api, target, testInfo.workerIndex, ws);
  const keys = catalogue.operations.filter((o) => o.dataKind !== 'none' && ((o.method === 'GET' && o.area !== 'admin') || ACCEPT_OPS.has(o.key))).map((o) => o.key);
  const reqs = await bases(world, keys);
  // An edge value is judged only where the plain valid request succeeds (a file not yet completed cannot be downloaded).
  for (const [key, req] of [...reqs]) {
    const base = await api.collecting([]).as(req.as).call(key, { ...req.base, allowStatus: ANY_STATUS, why: '(the valid request the edges vary)' });
    if (!base.ok) { reqs.delete(key); recorder.warn(`${key}: the valid request itself fails here (HTTP ${base.status}, code ${base.code}) — its edges are not judged`); }
  }
  const sent = await sendAll(api, boundaryCases(contracts, reqs, target.seed, (c) => c.verdict === 'accept'));
  const failures: FailureDetail[] = [];
  let judged = 0;
  for (const { c, res } of sent) {
    if (!res || res.status >= 500) continue;
    judged++;
    if (!res.ok) {
      failures.push({
        message: `${describeCase(c)} was rejected: HTTP ${res.status}, code ${res.code ?? '?'}, ${JSON.stringify(res.body?.message ?? null)}`,
        expected: 'success: the value is within the schema, and the contract states no further limit (behaviour the contract leaves open: MAY)',
        observed: observed(res), cite: opCite(c.op), replay: res.replay,
      });
    }
  }
  recorder.warn(`REST.COV.ACCEPT: ${sent.length} schema-valid edge values over ${reqs.size} operations, ${judged} judged (seed ${target.seed})`);
  if (judged === 0) nothingJudged(world, 'no schema-valid edge value got an answer below 500: nothing was judged', 'REST.COV.NO5XX');
  failAll(failures, judged, 'schema-valid edge values', target.seed);
});

check({
  id: 'REST.COV.ENVELOPE', level: 'SHOULD', cites: [ENVELOPE_CITE, 'http/openapi.json#/paths'],
  title: 'router- and framework-level errors (unknown route, undeclared method, path too long, body too large, malformed JSON, wrong content type) use the envelope and a fitting status',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const reqs = await bases(world, catalogue.operations.filter((o) => o.dataKind !== 'none' && !isLast(o.key) && o.area !== 'admin').map((o) => o.key));
  const sent = await sendFramework(api, frameworkCases(reqs, target.seed, reqs.get('GET /users/me')?.as ?? null));
  const failures: FailureDetail[] = [];
  let judged = 0;
  for (const { c, res } of sent) {
    if (res.status === 0 && MAY_CLOSE.includes(c.kind)) { recorder.warn(`${describeFramework(c)}: connection closed without an answer`); continue; }
    if (res.status >= 500 || res.status === 0) continue; // REST.COV.NO5XX's
    judged++;
    const declared = c.op?.statuses.filter((s) => s >= 400) ?? [];
    const fits = [...declared, ...c.fitting, ...(target.strict ? [] : [200])];
    const cite = frameworkCite(c);
    const isJson = /json/i.test(res.headers['content-type'] ?? '');
    if (!isFailureEnvelope(res.body) || !isJson) {
      failures.push({ message: `${describeFramework(c)}: HTTP ${res.status} without the envelope`, expected: 'Content-Type application/json and {code ≠ 0, message}', observed: { status: res.status, contentType: res.headers['content-type'], body: res.body ?? res.text.slice(0, 300) }, cite, replay: res.replay });
    } else if (!fits.includes(res.status)) {
      failures.push({ message: `${describeFramework(c)}: HTTP ${res.status}`, expected: `a status that fits: ${fits.join('/')}${c.op ? ` (declared by ${c.op.key}: ${c.op.statuses.join('/')})` : ''}`, observed: { status: res.status, body: res.body }, cite, replay: res.replay });
    }
  }
  recorder.warn(`REST.COV.ENVELOPE: ${sent.length} router/framework requests, ${judged} judged (seed ${target.seed})`);
  if (judged === 0) nothingJudged(world, 'no router/framework request got an answer below 500: nothing was judged', 'REST.COV.NO5XX');
  failAll(failures, judged, 'router/framework errors', target.seed);
});

check({
  id: 'REST.COV.405', level: 'MAY', cites: [RFC_405, 'http/openapi.json#/paths'],
  title: 'a method the contract does not declare on a contract path gets 405 with an Allow header listing the declared methods (RFC 9110; the contract is silent)',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const reqs = await bases(world, catalogue.operations.filter((o) => o.dataKind !== 'none' && !isLast(o.key) && o.area !== 'admin').map((o) => o.key));
  const cases = frameworkCases(reqs, target.seed, reqs.get('GET /users/me')?.as ?? null).filter((c) => c.kind === 'undeclared-method');
  const sent = await sendFramework(api, cases);
  const failures: FailureDetail[] = [];
  for (const { c, res } of sent) {
    const allow = (res.headers.allow ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
    const missing = c.declared!.filter((m) => !allow.includes(m));
    const extra = allow.filter((m) => !c.declared!.includes(m) && m !== 'HEAD' && m !== 'OPTIONS');
    if (res.status !== 405 || missing.length > 0 || extra.length > 0) {
      failures.push({
        message: `${c.method} ${c.path.slice(0, 80)}: HTTP ${res.status || 'no answer'}, Allow ${JSON.stringify(res.headers.allow ?? null)}`,
        expected: `405 with Allow: ${c.declared!.join(', ')} (HEAD/OPTIONS may be added)`,
        observed: { status: res.status, allow: res.headers.allow, body: res.body ?? res.text.slice(0, 200) }, cite: RFC_405, replay: res.replay,
      });
    }
  }
  recorder.warn(`REST.COV.405: ${sent.length} undeclared methods on ${new Set(cases.map((c) => c.path)).size} contract paths (seed ${target.seed})`);
  failAll(failures, sent.length, 'undeclared methods', target.seed);
});

/** How common SDKs send a call without a body: the JSON content type anyway, with or without a charset, often Content-Length: 0. */
const SDK_FORMS: { contentType: string; emptyBody: boolean; accept: string }[] = [
  { contentType: 'application/json', emptyBody: true, accept: 'application/json' },
  { contentType: 'application/json; charset=utf-8', emptyBody: false, accept: 'application/json, text/plain, */*' },
  { contentType: 'application/json;charset=UTF-8', emptyBody: true, accept: '*/*' },
];

check({
  id: 'REST.SDK.BODYLESS-JSON', level: 'SHOULD', cites: ['http/openapi.json#/paths', 'docs/contract-notes.md §8 (the AnyChat C++ SDK sends Content-Type: application/json on every call)'],
  title: 'every operation without a request body is served when sent the way SDKs do (Content-Type: application/json with an empty body, charset parameters, Accept)',
}, async ({ api, target, recorder, ws }, testInfo) => {
  const world = new World(api, target, testInfo.workerIndex, ws);
  const keys = catalogue.operations.filter((o) => o.dataKind !== 'none' && !o.requestBody).map((o) => o.key);
  const reqs = await bases(world, keys);
  for (const [k, why] of world.unavailable) recorder.warn(`${k}: not sent (${why})`);
  const failures: FailureDetail[] = [];
  let served = 0;
  let sent = 0;
  for (const [i, [key, req]] of [...reqs].entries()) {
    const op = catalogue.operationsByKey.get(key)!;
    // Safe operations get every form; a call that consumes state gets one, chosen by the seed.
    const forms = isLast(key) || op.method !== 'GET' ? [SDK_FORMS[(target.seed + i) % SDK_FORMS.length]!] : SDK_FORMS;
    for (const form of forms) {
      const emptyBody = form.emptyBody && op.method !== 'GET'; // fetch sends no body on GET
      const what = `with Content-Type ${JSON.stringify(form.contentType)}${emptyBody ? ' and an empty body' : ''}`;
      sent++;
      let res: RestResponse;
      try {
        res = await api.collecting([]).as(req.as).call(key, { ...req.base, emptyBody, contentType: form.contentType, headers: { 'content-type': form.contentType, accept: form.accept }, allowStatus: ANY_STATUS, why: what });
      } catch (e) {
        if (!(e instanceof ConformanceFailure)) throw e;
        failures.push({ ...e.detail, message: `${key} ${what}: ${e.detail.message.split('\n')[0]}` });
        continue;
      }
      if (res.ok) { served++; continue; }
      // Rejected: was it the header? The same call without it tells (the failed call changed nothing).
      const control = await api.collecting([]).as(req.as).call(key, { ...req.base, allowStatus: ANY_STATUS, why: 'without Content-Type (control)' });
      if (!control.ok) {
        recorder.warn(`${key}: fails with and without Content-Type (HTTP ${control.status}, code ${control.code}) — not judged`);
        continue;
      }
      failures.push({
        message: `${key} ${what} was refused: HTTP ${res.status}, code ${res.code ?? '?'}, ${JSON.stringify(res.body?.message ?? null)} — the same call without the header succeeds`,
        expected: 'the call is served as without the header: the operation takes no body, an empty one is no body',
        observed: observed(res), cite: opCite(key), replay: res.replay,
      });
      if (isLast(key)) break;
    }
  }
  recorder.warn(`REST.SDK.BODYLESS-JSON: ${sent} SDK-shaped calls over ${reqs.size} bodiless operations, ${served} served`);
  if (served + failures.length === 0) nothingJudged(world, 'no bodiless operation could be judged (every call failed with and without the header)', 'REST.HG2');
  failAll(failures, sent, 'SDK-shaped bodiless calls', target.seed);
});

/** Nothing could be judged: blocked, citing the owner of the first world step that broke (else `fallbackOwner`). */
function nothingJudged(world: World, what: string, fallbackOwner: string): never {
  const first = [...world.unavailable.values()][0];
  block(first ? `${what} (${first.reason})` : what, first?.owner ?? fallbackOwner);
}
