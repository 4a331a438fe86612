import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { codeExt, codeRoot, packageRoot } from '../contracts/locate.js';

/**
 * Playwright Test runs as a child process: the suites' config, our reporter, and Playwright's own CLI. Installed, these
 * are the compiled files in dist/ (Playwright loads nothing through a TypeScript loader inside node_modules); run from
 * the repository's sources, the .ts files.
 */
export const PLAYWRIGHT_CONFIG = join(codeRoot, `playwright.config${codeExt}`);
export const CONFORMANCE_REPORTER = join(codeRoot, 'reports', `conformance-reporter${codeExt}`);
export const PROGRESS_REPORTER = join(codeRoot, 'reports', `progress-reporter${codeExt}`);
export const APPLICABILITY_REPORTER = join(codeRoot, 'reports', `applicability-reporter${codeExt}`);
export const playwrightCli = (): string => createRequire(import.meta.url).resolve('@playwright/test/cli');

/** Every ANYCHAT_* variable the CLI owns; the child gets the resolved values instead of whatever the parent had. */
export function withoutManagedEnv(env: NodeJS.ProcessEnv, managed: Iterable<string>): NodeJS.ProcessEnv {
  const drop = new Set(managed);
  return Object.fromEntries(Object.entries(env).filter(([k]) => !drop.has(k) && !k.startsWith('ANYCHAT_GRPC_SERVICE_')));
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the parent got SIGINT/SIGTERM and passed it on. */
  interrupted: boolean;
}

/**
 * Run `node <playwright cli> ...args`. stdio 'inherit' streams Playwright's progress to the terminal; 'pipe' captures it.
 * SIGINT/SIGTERM are passed to the child; `timeoutMs` kills it (SIGTERM, then SIGKILL 5 s later).
 */
export function runPlaywright(args: string[], env: NodeJS.ProcessEnv, opts: { stdio: 'inherit' | 'pipe'; timeoutMs?: number; cwd?: string }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // Compiled code: stack traces (ours and in Playwright's failure messages) point at the .ts sources.
    const nodeArgs = codeExt === '.js' ? ['--enable-source-maps'] : [];
    const child = spawn(process.execPath, [...nodeArgs, playwrightCli(), ...args], {
      env,
      cwd: opts.cwd ?? packageRoot,
      stdio: opts.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    let timedOut = false;
    let interrupted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (signal: NodeJS.Signals) => {
      child.kill(signal);
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 5000);
    };
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stop('SIGTERM');
        }, opts.timeoutMs)
      : undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = true;
      stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const done = () => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr, timedOut, interrupted });
    });
  });
}
