import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../contracts/locate.js';

/** Run `anychat-conform …` as a real child process (the way users run it), with a hard time limit. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  killed: boolean;
}

export function runCli(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env };
    // Never let the caller's environment or a CI flag steer a test run.
    for (const k of Object.keys(env)) if (k.startsWith('ANYCHAT_') && !(opts.env && k in opts.env)) delete env[k];
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'anychat-conform.js'), ...args], {
      cwd: opts.cwd ?? packageRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, killed });
    });
  });
}
