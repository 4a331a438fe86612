import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { SetupError } from '../contracts/errors.js';
import { FAULTS } from '../reference-server/faults.js';

/** Default seeded admin of the reference server (cli/serve.ts has the same defaults). */
export const SERVE_ADMIN = { user: 'admin', password: 'Admin@123456' };
const PROBE_TIMEOUT_MS = 5000;

/**
 * Pre-flight: any HTTP answer from the target's root proves it is reachable (the status does not matter).
 * Refused connections, DNS failures, TLS errors and silence for 5 s are setup errors. node:http rather than fetch,
 * which refuses the "bad ports" of the fetch standard (1, 6000, 10080, …) that a deployment may well use.
 */
export function probeTarget(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const get = u.protocol === 'https:' ? httpsGet : httpGet;
    const fail = (why: string) => reject(new SetupError(`cannot reach ${url}: ${why}`));
    const req = get(u, { timeout: timeoutMs, headers: { 'user-agent': 'anychat-conform preflight' } }, (res) => {
      res.resume();
      resolve();
    });
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message);
    });
    req.on('response', () => clearTimeout(timer));
  });
}

export function checkFaultIds(ids: string[]): void {
  const known = new Set(FAULTS.map((f) => f.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new SetupError(`unknown fault id(s): ${unknown.join(', ')} (see \`anychat-conform serve --list-faults\`)`);
}

export interface ServedTarget {
  url: string;
  grpc: string | null;
  admin: { user: string; password: string };
  /** The server's HS256 key, so SEC.4 can forge a validly signed expired token. */
  jwtSecret: string;
  close(): Promise<void>;
}

/** --serve: the reference server in this process, on free ports, with an in-memory database. */
export async function serveReference(opts: { faults: string[]; admin: { user: string; password: string } | null; contractsDir?: string }): Promise<ServedTarget> {
  checkFaultIds(opts.faults);
  const admin = opts.admin ?? SERVE_ADMIN;
  const { startServer } = await import('../reference-server/server.js');
  const jwtSecret = randomBytes(32).toString('hex');
  const server = await startServer({
    jwtSecret,
    port: 0,
    grpcPort: 0,
    db: ':memory:',
    faults: opts.faults,
    adminUser: admin.user,
    adminPassword: admin.password,
    contractsDir: opts.contractsDir,
    logLevel: 'silent',
  });
  return { url: server.httpUrl, grpc: server.grpcAddress, admin, jwtSecret, close: () => server.close() };
}
