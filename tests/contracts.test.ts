import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultBundleDir, loadContracts, packageRoot, resolvePointer, type Json } from '../contracts/index.js';
import { loadBundle } from '../contracts/bundle.js';
import { lintContracts } from '../contracts/lint.js';
import { openApiSchemaFindings } from '../contracts/openapi-schema.js';

const c = loadContracts();
const cli = join(packageRoot, 'bin', 'anychat-conform.js');
const runCli = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });

test('the catalogue has the contract counts', () => {
  const { catalogue } = c;
  assert.equal(catalogue.operations.length, 78);
  assert.equal(catalogue.pathCount, 64);
  assert.equal(catalogue.operations.filter((o) => o.secured).length, 73);
  assert.equal(catalogue.wsMessages.length, 5);
  assert.equal(catalogue.notificationTypes.length, 40);
  assert.equal(catalogue.services.length, 11);
  assert.equal(catalogue.rpcs.length, 89);
  assert.equal(catalogue.protoMessages.length, 159);
  assert.ok(catalogue.rpcsByPath.has('/file.FileService/GenerateUploadToken'), "the file package's odd name is kept as written");
  assert.deepEqual(
    Object.fromEntries(['typed', 'object', 'bare', 'none'].map((k) => [k, catalogue.operations.filter((o) => o.dataKind === k).length])),
    { typed: 15, object: 30, bare: 32, none: 1 },
  );
});

test('every item carries a citation that resolves inside its file', () => {
  for (const op of c.catalogue.operations) assert.ok(resolvePointer(c.bundle.openapi, op.pointer), op.cite);
  for (const m of c.catalogue.wsMessages) assert.ok(resolvePointer(c.bundle.asyncapi, m.pointer), m.cite);
  for (const r of c.catalogue.rpcs) assert.match(r.cite, /^[\w.]+\.\w+Service\/\w+$/);
});

test('the /ws empty responses are patched in memory and recorded as a defect', () => {
  assert.deepEqual(c.bundle.defects.map((d) => d.pointer), ['/paths/~1ws/get/responses']);
  assert.ok(c.bundle.openapi.paths['/ws'].get.responses['101']);
});

test('the bundle is hashed file by file and pinned to its upstream commit', () => {
  assert.ok(Object.keys(c.bundle.hashes).includes('http/openapi.json'));
  assert.ok(Object.keys(c.bundle.hashes).some((f) => f.startsWith('proto/')));
  for (const h of Object.values(c.bundle.hashes)) assert.match(h, /^[0-9a-f]{64}$/);
  assert.match(c.bundle.contractsCommit ?? '', /^[0-9a-f]{40}$/);
  assert.match(c.bundle.digest, /^[0-9a-f]{64}$/);
});

/** A component schema's example object, assembled from its properties' `example`s (how swaggo writes them). */
function exampleOf(schema: Json): Json {
  return Object.fromEntries(Object.entries<Json>(schema.properties ?? {}).filter(([, p]) => 'example' in p).map(([k, p]) => [k, p.example]));
}

test('every example embedded in the OpenAPI validates against its own schema', () => {
  let n = 0;
  for (const [name, schema] of Object.entries<Json>(c.bundle.openapi.components.schemas)) {
    const ex = exampleOf(schema);
    if (Object.keys(ex).length === 0) continue;
    for (const req of schema.required ?? []) if (!(req in ex)) ex[req] = schema.properties[req].type === 'array' ? [] : 'x';
    assert.deepEqual(c.validators.component(name)(ex), [], name);
    n++;
  }
  assert.ok(n >= 30, `${n} schema examples`);
});

test('every AsyncAPI example validates against its own message', () => {
  const messages = c.bundle.asyncapi.components.messages as Record<string, Json>;
  let n = 0;
  for (const m of c.catalogue.wsMessages) {
    const def = messages[m.component]!;
    const examples: Json[] = [def.payload.example, ...(def.examples ?? []).map((e: Json) => e.payload)].filter(Boolean);
    for (const ex of examples) {
      const r = c.validators.wsFrame(m.direction)(ex);
      assert.equal(r.message, m.name);
      assert.deepEqual(r.issues, [], `${m.name} ${JSON.stringify(ex)}`);
      n++;
    }
  }
  assert.ok(n >= 7, `${n} AsyncAPI examples`);
});

test('mutated examples are rejected with a message naming the field', () => {
  const login = exampleOf(c.bundle.openapi.components.schemas['internal_gateway_handler.LoginRequest']);
  const { deviceId: _drop, ...noDevice } = login;
  const missing = c.validators.restRequest('POST /auth/login')(noDevice);
  assert.ok(missing.some((i) => i.message.includes("'deviceId'")), JSON.stringify(missing));
  const badEnum = c.validators.restRequest('POST /auth/login')({ ...login, deviceType: 'blackberry' });
  assert.ok(badEnum.some((i) => i.at === '/deviceType' && i.cite.endsWith('/properties/deviceType')), JSON.stringify(badEnum));
  const group = c.validators.restRequest('POST /groups')({ name: '', memberIds: ['u1'] });
  assert.ok(group.some((i) => i.at === '/name'), JSON.stringify(group));
  const ack = c.validators.wsFrame('subscribe')({ type: 'message.sent', payload: { messageId: 'm', sequence: '7', timestamp: 1 } });
  assert.ok(ack.issues.some((i) => i.at === '/payload/sequence'));
  const typed = c.validators.restResponse('POST /auth/login', 200)({ code: 0, message: 'ok', data: { accessToken: 1 } });
  assert.ok(typed.some((i) => i.at === '/data/accessToken' && i.cite.includes('AuthResponse')), JSON.stringify(typed));
  assert.match(c.validators.protoMessage('anychat.auth.LoginRequest')({ account: 5 })[0]?.message ?? '', /account/);
});

test('lint reports the known contract findings with locations, stably', () => {
  const findings = lintContracts(c);
  const ids = findings.map((f) => f.id);
  assert.ok(new Set(ids).size >= 15, `${new Set(ids).size} distinct findings`);
  for (const id of ['OAS-INVALID-RESPONSES', 'TIME-UNITS', 'NAME-DRIFT', 'PRIVATE-VS-SINGLE', 'UNTYPED-REQUEST-BODY', 'UNTYPED-DATA',
    'SECURITY-SCHEME', 'SECURED-WITHOUT-401', 'PROTO-PACKAGE-NAMING']) assert.ok(ids.includes(id), id);
  for (const f of findings) assert.ok(f.locations.length > 0, f.id);
  assert.deepEqual(lintContracts(c), findings, 'deterministic');
  assert.equal(findings.find((f) => f.id === 'SECURED-WITHOUT-401')!.locations.length, 14);
  assert.equal(findings.find((f) => f.id === 'UNTYPED-REQUEST-BODY')!.locations.length, 5);
});

test('an independent OpenAPI validator rejects the file as written only for /ws responses, and accepts the patched document', async () => {
  const findings = await openApiSchemaFindings(c.bundle);
  assert.deepEqual(findings.map((f) => f.id), ['OAS-SCHEMA']);
  assert.match(findings[0]!.title + findings[0]!.detail, /fewer than 1 properties/);
  assert.match(findings[0]!.detail ?? '', /"responses": \{\}/);
});

test('a missing or broken bundle is a one-line setup error naming the path', () => {
  assert.throws(() => loadBundle('/nonexistent/bundle'), /contract bundle not found: \/nonexistent\/bundle/);
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  try {
    cpSync(defaultBundleDir, dir, { recursive: true });
    rmSync(join(dir, 'websocket'), { recursive: true });
    assert.throws(() => loadBundle(dir), /is missing websocket\/asyncapi.yaml/);
    cpSync(join(defaultBundleDir, 'websocket'), join(dir, 'websocket'), { recursive: true });
    writeFileSync(join(dir, 'http', 'openapi.json'), '{"openapi": "3.0.0", ');
    assert.throws(() => loadBundle(dir), /openapi.json is not valid JSON/);
    cpSync(join(defaultBundleDir, 'http'), join(dir, 'http'), { recursive: true });
    writeFileSync(join(dir, 'websocket', 'asyncapi.yaml'), 'asyncapi: 2.6.0\ninfo: {}\n');
    assert.throws(() => loadBundle(dir), /not a valid AsyncAPI 2.6 document/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: contracts show --json has the counts and hashes; bad input exits 2 with one line', () => {
  const show = runCli('contracts', 'show', '--json');
  assert.equal(show.status, 0, show.stderr);
  const s = JSON.parse(show.stdout);
  assert.deepEqual(s.counts, { restOperations: 78, restPaths: 64, restProtected: 73, wsMessages: 5, notificationTypes: 40, grpcServices: 11, rpcs: 89, protoMessages: 159 });
  assert.ok(Object.keys(s.hashes).length >= 15);

  const lint = runCli('contracts', 'lint');
  assert.equal(lint.status, 0);
  assert.match(lint.stdout, /\d+ findings/);

  for (const args of [['contracts', 'show', '--contracts', '/nope'], ['frobnicate'], ['serve', '--port', 'abc'], ['serve', '--fault', 'no.such-fault', '--port', '0']]) {
    const r = runCli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
    assert.equal(lines.length, 1, `${args.join(' ')} printed: ${r.stderr}`);
  }
});
