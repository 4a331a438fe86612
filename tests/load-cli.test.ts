import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../contracts/index.js';
import { startServer, type RunningServer } from '../reference-server/server.js';
import { SetupError } from '../contracts/errors.js';
import { resolveScenario } from '../load/resolve.js';

/**
 * `anychat-conform load` end to end: the CLI as a child process against the real reference server (in this process,
 * port 0, in-memory SQLite). Loads are kept small (a few users, seconds) — registration costs a scrypt per user.
 */
const cli = join(packageRoot, 'bin', 'anychat-conform.js');
const dir = mkdtempSync(join(tmpdir(), 'load-cli-'));
let server: RunningServer;
let faulty: RunningServer;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { timeoutMs?: number; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
const small = ['--vus', '8', '--group-size', '4', '--rate', '4/s', '--grace', '3s', '-q'];

before(async () => {
  [server, faulty] = await Promise.all([
    startServer({ port: 0, grpcPort: -1, db: ':memory:' }),
    startServer({ port: 0, grpcPort: -1, db: ':memory:', faults: ['load.drop-1pct'] }),
  ]);
});

after(async () => {
  await Promise.all([server?.close(), faulty?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

// Independent runs: two at a time (the machine has two cores; each run is mostly waiting on the server).
describe('anychat-conform load', { concurrency: 2 }, () => {
  test('chat from a JSON scenario file: summary, report.json + report.html, thresholds from file and flags', async () => {
    const scenarioFile = join(dir, 'chat-small.json');
    writeFileSync(scenarioFile, JSON.stringify({ extends: 'chat', name: 'chat-small', params: { vus: 12, groupSize: 4, rate: '2/s' }, thresholds: ['ack.p99 < 60s'] }));
    const out = join(dir, 'chat');
    const r = await runCli(['load', server.httpUrl, '--scenario', scenarioFile, '--duration', '5s', '--threshold', 'delivery.p99<60s', '--threshold', 'errors.rate < 0.01', '--out', out, '-q']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /anychat-conform load — chat-small/);
    assert.match(r.stdout, /^ {2}ack +\d+/m);
    assert.match(r.stdout, /^ {2}delivery +\d+/m);
    assert.match(r.stdout, /correctness: lost 0, duplicated 0, out of order 0, misdelivered 0/);
    assert.match(r.stdout, /✓ ack\.p99 < 60s/);
    assert.match(r.stdout, /verdict: PASS/);
    const json = report(out);
    // 12 users sending 2/s for 5 s, open model with a random phase per VU: exactly 10 arrivals each.
    assert.equal(json.summary.values['messages.sent'], 120);
    assert.equal(json.summary.values['messages.acked'], 120);
    assert.equal(json.summary.values['deliveries.expected'], 120 * 3);
    assert.equal(json.summary.values.deliveries, 360);
    assert.equal(json.summary.values['delivery.count'], 360);
    assert.deepEqual(json.summary.thresholds.map((t: any) => t.source).sort(), ['ack.p99 < 60s', 'delivery.p99<60s', 'duplicated == 0', 'errors.rate < 0.01', 'lost == 0', 'misdelivered == 0', 'ordering.violations == 0']);
    assert.equal(json.verdict, 'pass');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg viewBox/);
    assert.match(html, /ack latency per second/);
    assert.doesNotMatch(html, /<script|<link |src="http/, 'the HTML report is self-contained');

    // The same result judged again by `load merge` with a threshold it fails: exit 1.
    const strict = await runCli(['load', 'merge', join(out, 'report.json'), '--threshold', 'ack.max < 0.001ms', '--out', join(dir, 'strict')]);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /✗ ack\.max < 0\.001ms/);
  });

  test('two shards merged give the same totals as one run of the same load', async () => {
    const args = (extra: string[]) => ['load', server.httpUrl, '--scenario', 'chat', '--duration', '2s', ...small, ...extra];
    const [one, s1, s2] = await Promise.all([
      runCli(args(['--out', join(dir, 'one')])),
      runCli(args(['--shard', '1/2', '--out', join(dir, 's1')])),
      runCli(args(['--shard', '2/2', '--out', join(dir, 's2')])),
    ]);
    for (const r of [one, s1, s2]) assert.equal(r.code, 0, r.stdout + r.stderr);
    const merged = await runCli(['load', 'merge', join(dir, 's1'), join(dir, 's2', 'report.json'), '--out', join(dir, 'merged')]);
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    assert.match(merged.stdout, /2 shards merged/);
    const [a, b, m, u] = [report(join(dir, 's1')), report(join(dir, 's2')), report(join(dir, 'merged')), report(join(dir, 'one'))];
    assert.equal(a.vus + b.vus, 8);
    assert.equal(a.units.planned, 1, 'shard 1/2 runs one whole group of 4');
    for (const k of ['messages.sent', 'messages.acked', 'deliveries', 'deliveries.expected', 'ack.count', 'delivery.count']) {
      assert.equal(m.summary.values[k], a.summary.values[k] + b.summary.values[k], `${k}: merged = shard 1 + shard 2`);
      assert.equal(m.summary.values[k], u.summary.values[k], `${k}: merged shards = one run`);
    }
    assert.equal(m.summary.values['messages.sent'], 8 * 4 * 2);
  });

  test('a server that drops 1% of deliveries fails `lost == 0` (exit 1)', async () => {
    const out = join(dir, 'lossy');
    const r = await runCli(['load', faulty.httpUrl, '--scenario', 'chat', '--duration', '3s', '--vus', '12', '--group-size', '4', '--rate', '5/s', '--grace', '2s', '--no-scenario-thresholds', '--threshold', 'lost == 0', '--out', out, '-q']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ lost == 0 {2}\(observed [1-9]\d*\)/);
    const json = report(out);
    assert.ok(json.summary.values.lost > 0);
    assert.equal(json.summary.values.lost, json.summary.values['deliveries.expected'] - json.summary.values.deliveries);
    assert.equal(json.verdict, 'fail');
  });

  test('usage and setup problems exit 2 with one line: bad scenario file, bad flag, unreachable target', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "extends": "chat", ');
    const cases: Array<[string[], RegExp]> = [
      [['load', server.httpUrl, '--scenario', bad], /scenario file .*bad\.json: invalid JSON/],
      [['load', server.httpUrl, '--rate', 'fast'], /--rate: expected a rate like 2\/s/],
      [['load', `http://127.0.0.1:${closedPort}`, '--duration', '2s'], /cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli([...args, '--out', join(dir, 'never')])));
    runs.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    });
    assert.equal(existsSync(join(dir, 'never')), false, 'nothing is written on a usage error');
  });

  test('scenario problems are one-line SetupErrors (what the CLI prints before exiting 2)', async () => {
    const unknownParam = join(dir, 'unknown-param.json');
    writeFileSync(unknownParam, JSON.stringify({ extends: 'chat', params: { vuz: 3 } }));
    const badExtends = join(dir, 'bad-extends.json');
    writeFileSync(badExtends, JSON.stringify({ extends: 'chatty' }));
    const extraKey = join(dir, 'extra-key.json');
    writeFileSync(extraKey, JSON.stringify({ extends: 'chat', scenarios: {} }));
    const noIterate = join(dir, 'no-iterate.ts');
    writeFileSync(noIterate, 'export default { name: "nothing to run" };\n');
    const throwing = join(dir, 'throwing.ts');
    writeFileSync(throwing, 'throw new Error("boom at import");\n');
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [unknownParam, {}, /params\.vuz: unknown parameter/],
      [badExtends, {}, /unknown scenario "chatty"/],
      [extraKey, {}, /unknown key\(s\) scenarios/],
      [noIterate, {}, /needs a string "name" and an iterate\(\) function/],
      [throwing, {}, /cannot load: boom at import/],
      [join(dir, 'missing.json'), {}, /does not exist/],
      ['nope', {}, /unknown scenario "nope"/],
      ['chat', { groupSize: '1' }, /group size must be from 2 to 500/],
      ['chat', { duration: '2s', rampUp: '5s' }, /ramp-up \(5000 ms\) must not exceed duration/],
      ['rest-mix', { mix: 'GET /nowhere=1' }, /mix: unknown operation\(s\) "GET \/nowhere"/],
    ];
    for (const [spec, params, pattern] of cases) {
      await assert.rejects(resolveScenario(spec, { params }), (e: Error) => {
        assert.ok(e instanceof SetupError, `${spec}: ${e}`);
        assert.match(e.message, pattern);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    }
  });

  test('Ctrl-C stops the run and still writes the partial report (exit 130)', async () => {
    const out = join(dir, 'interrupted');
    let sent = false;
    const r = await runCli(['load', server.httpUrl, '--scenario', 'chat', '--duration', '60s', '--vus', '8', '--group-size', '4', '--rate', '4/s', '--out', out], {
      onStderr: (text, child) => {
        if (!sent && text.includes('load: setup:')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 1500);
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stderr, /stopping — writing a partial report/);
    assert.match(r.stdout, /INTERRUPTED: partial results/);
    const json = report(out);
    assert.equal(json.interrupted, true);
    assert.ok(json.summary.values['messages.sent'] > 0, 'the load that did run is in the report');
    assert.ok(json.summary.seconds < 10, `stopped early (${json.summary.seconds} s of load)`);
  });

  test('a user-defined TypeScript scenario runs its own setup and iterations', async () => {
    const file = join(dir, 'profile-reads.ts');
    writeFileSync(file, `
  export default {
    name: 'profile-reads',
    description: 'each VU reads its own profile',
    params: { vus: 3, rate: '10/s' },
    thresholds: ['http.GET /users/me.count >= 20', 'errors.total == 0'],
    async setup(lane) { return lane.identities.register(lane.setupHttp); },
    async iterate(lane, _unit, user, _vu, scheduledAt) {
      await lane.http.request('GET /users/me', 'GET', '/users/me', { token: user.accessToken, scheduledAt });
    },
  };
  `);
    const out = join(dir, 'custom');
    const r = await runCli(['load', server.httpUrl, '--scenario', file, '--duration', '1s', '--out', out, '-q']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /http\.GET \/users\/me +30 /);
    assert.equal(report(out).summary.values['http.requests'], 30);
  });
});
