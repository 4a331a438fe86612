import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../contracts/index.js';

/**
 * The package as a user gets it: `npm pack` (prepack builds dist/, fills vendor-contracts/, lists the check catalogue),
 * then the tarball is installed into an empty temporary project with `npm ci --offline --omit=optional`, from the npm
 * cache the repository's own `npm ci` filled, and every command runs from there through `npx anychat-conform`:
 *   first without better-sqlite3 (no native build): the harness works, `serve` says in one line what is missing;
 *   then with it: `serve`, `run --serve` and `load` against the served reference server. The native module added then is
 *   the repository's own build (same version, same Node): compiling SQLite once more would cost minutes and test nothing of ours.
 * An empty project has no lockfile and the npm cache holds tarballs but not registry metadata, so the project gets the
 * lockfile a user's install would produce: the repository's own lockfile (the tested tree) without its dev-only
 * packages, plus the tarball itself.
 */
const work = mkdtempSync(join(tmpdir(), 'packaging-'));
const INSTALL_TIMEOUT_MS = 10 * 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment for npm and the installed CLI: none of the npm_* variables of an enclosing `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)));
  // The installed package finds its contracts in its own vendor-contracts/, not through a variable of this checkout.
  for (const k of Object.keys(env)) if (k.startsWith('ANYCHAT_')) delete env[k];
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** npx runs the command in a child of its own: signal the whole process group (spawned `detached`). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

const npx = (project: string, args: string[], timeoutMs = 120_000) => run('npx', ['--no', '--', 'anychat-conform', ...args], project, timeoutMs);
const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

let tarball = '';

/** An empty project whose lockfile installs `tarball` with exactly the repository's tested dependency tree. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const spec = `file:${relative(dir, tarball).split('\\').join('/')}`;
  const ours = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(packageRoot, 'package-lock.json'), 'utf8'));
  const packages: Record<string, any> = {
    '': { name, version: '1.0.0', dependencies: { [ours.name]: spec } },
    [`node_modules/${ours.name}`]: {
      version: ours.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: ours.license,
      dependencies: ours.dependencies,
      optionalDependencies: ours.optionalDependencies,
      bin: ours.bin,
      engines: ours.engines,
    },
  };
  for (const [path, entry] of Object.entries<any>(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional, ...rest } = entry;
    packages[path] = devOptional ? { ...rest, optional: true } : rest;
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, dependencies: { [ours.name]: spec } }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  return dir;
}

async function install(dir: string, extra: string[] = []): Promise<Result> {
  const r = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', ...extra], dir, INSTALL_TIMEOUT_MS);
  assert.equal(r.code, 0, `npm ci --offline ${extra.join(' ')} of the packed tarball failed (is the npm cache filled by the repository's npm ci?):\n${show(r)}`);
  assert.doesNotMatch(r.stdout + r.stderr, /EBADENGINE/, 'a dependency does not fit the engines field');
  console.log(`npm ci --offline ${extra.join(' ')}: ${(r.ms / 1000).toFixed(1)} s`);
  return r;
}

/** The repository's better-sqlite3 (built by its npm ci) and its run-time dependencies, placed as npm would place them. */
function addSqlite(project: string): void {
  const from = createRequire(join(packageRoot, 'package.json'));
  for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    const src = dirname(from.resolve(`${name}/package.json`));
    // the module, its JavaScript and the compiled addon; not the C sources and object files
    cpSync(src, join(project, 'node_modules', name), { recursive: true, filter: (f) => !/[\\/](deps|src|obj|obj\.target|\.deps)$/.test(f) });
  }
}

/** `serve --port 0` as a child; resolves with its printed addresses once it listens. */
function serve(dir: string): Promise<{ child: ChildProcess; http: string; base: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no', '--', 'anychat-conform', 'serve', '--port', '0', '--grpc-port', '-1', '--db', ':memory:'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`serve did not print its addresses within 60 s; stderr: ${err}`));
    }, 60_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        const addr = JSON.parse(line);
        resolve({ child, http: addr.http, base: addr.base });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stderr: ${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

before(async () => {
  const r = await run('npm', ['pack', '--pack-destination', work], packageRoot, INSTALL_TIMEOUT_MS);
  assert.equal(r.code, 0, `npm pack failed:\n${show(r)}`);
  const tgz = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  assert.equal(tgz.length, 1, `npm pack wrote ${tgz.join(', ') || 'no tarball'}`);
  tarball = join(work, tgz[0]!);
  console.log(`packed ${tgz[0]}: ${statSync(tarball).size} bytes in ${(r.ms / 1000).toFixed(1)} s`);
});

after(() => rmSync(work, { recursive: true, force: true }));

let dir = '';

describe('the packed tarball, installed without optional dependencies (no native build)', () => {
  before(async () => {
    dir = project('app');
    await install(dir, ['--omit=optional']);
  });

  test('holds compiled JavaScript and the contract bundle, and no TypeScript or install-time script', () => {
    const pkg = join(dir, 'node_modules', 'anychat-conform');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    assert.equal(manifest.scripts?.postinstall, undefined, 'no postinstall');
    assert.equal(manifest.scripts?.install, undefined, 'no install script');
    assert.ok(existsSync(join(pkg, 'dist', 'cli', 'main.js')) && existsSync(join(pkg, 'dist', 'cli', 'main.js.map')), 'dist/cli/main.js with its source map');
    assert.ok(existsSync(join(pkg, 'dist', 'playwright.config.js')), 'the compiled Playwright config');
    assert.ok(existsSync(join(pkg, 'dist', 'check-catalogue.json')), 'the check catalogue listed at pack time');
    assert.ok(existsSync(join(pkg, 'vendor-contracts', 'http', 'openapi.json')), 'the contract bundle');
    const ts = (readdirSync(pkg, { recursive: true }) as string[]).filter((f) => /\.[cm]?ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('node_modules'));
    assert.deepEqual(ts, [], 'no TypeScript source is loaded at run time');
    assert.ok(!existsSync(join(dir, 'node_modules', 'better-sqlite3')), 'better-sqlite3 is optional');
  });

  test('--version', async () => {
    const r = await npx(dir, ['--version']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  });

  test('contracts show --json reads the bundled contracts', async () => {
    const r = await npx(dir, ['contracts', 'show', '--json']);
    assert.equal(r.code, 0, show(r));
    const shown = JSON.parse(r.stdout);
    assert.match(JSON.stringify(shown), /vendor-contracts/, 'the bundle inside the package');
    assert.match(JSON.stringify(shown), /[0-9a-f]{64}/, 'file hashes');
  });

  test('checks list: the compiled suites load in Playwright from node_modules; the pack-time catalogue is the same', async () => {
    const live = await npx(dir, ['checks', 'list', '--live', '--json'], 300_000);
    assert.equal(live.code, 0, show(live));
    assert.doesNotMatch(live.stderr, /failed to load/, 'every suite loaded');
    const liveEntries = JSON.parse(live.stdout);
    assert.ok(liveEntries.length > 100 && liveEntries.some((e: any) => e.level === 'MUST'), `a catalogue:\n${show(live)}`);
    const packed = await npx(dir, ['checks', 'list', '--json']);
    assert.equal(packed.code, 0, show(packed));
    assert.deepEqual(JSON.parse(packed.stdout), liveEntries);
    const text = await npx(dir, ['checks', 'list']);
    assert.equal(text.code, 0, show(text));
    assert.match(text.stdout, new RegExp(`^${liveEntries.length} checks \\(MUST \\d+, SHOULD \\d+, MAY \\d+\\)$`, 'm'));
  });

  test('serve without better-sqlite3: one line naming it, exit 2', async () => {
    const r = await npx(dir, ['serve', '--port', '0', '--grpc-port', '-1', '--db', ':memory:']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /^anychat-conform: .*better-sqlite3.*npm install better-sqlite3\n$/, show(r));
  });
});

describe('the packed tarball, with better-sqlite3 added', () => {
  before(() => {
    assert.ok(dir, 'installed by the first group');
    addSqlite(dir);
  });

  test('serve answers a request', async () => {
    const server = await serve(dir);
    try {
      const res = await fetch(`${server.http}/health`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).status, 'ok');
    } finally {
      await stop(server.child);
    }
  });

  test('run --serve --suite rest: exit 0 and the reports written', async () => {
    const out = join(work, 'report');
    const r = await npx(dir, ['run', '--serve', '--suite', 'rest', '--out', out, '--workers', '2'], 10 * 60_000);
    assert.equal(r.code, 0, show(r));
    for (const f of ['report.json', 'junit.xml', 'report.html', 'badge.svg']) assert.ok(existsSync(join(out, f)), `${f} written`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.ok(JSON.stringify(report).includes('"passed"'), 'checks ran and passed');
  });

  test('load --scenario login --duration 3s against the served reference server', async () => {
    const server = await serve(dir);
    try {
      const out = join(work, 'load');
      const r = await npx(dir, ['load', server.http, '--scenario', 'login', '--duration', '3s', '--vus', '4', '--out', out, '-q'], 180_000);
      assert.equal(r.code, 0, show(r));
      assert.ok(existsSync(join(out, 'report.json')), 'load report written');
    } finally {
      await stop(server.child);
    }
  });
});
