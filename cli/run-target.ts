import { SetupError } from '../contracts/errors.js';
import { FAULTS } from '../reference-server/faults.js';

/** Default seeded admin of the reference server (cli/serve.ts has the same defaults). */
export const SERVE_ADMIN = { user: 'admin', password: 'Admin@123456' };
const PROBE_TIMEOUT_MS = 5000;

/**
 * Pre-flight: any HTTP answer from the target's root proves it is reachable (the status does not matter).
 * Refused connections, DNS failures, TLS errors and silence for 5 s are setup errors.
 */
export async function probeTarget(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  try {
    const res = await fetch(`${url}/`, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
  } catch (e) {
    throw new SetupError(`cannot reach ${url}: ${reason(e, timeoutMs)}`);
  }
}

function reason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const c = err?.cause;
  if (c?.code && c.message) return c.message.includes(c.code) ? c.message : `${c.code} ${c.message}`;
  return c?.code ?? c?.message ?? err?.message ?? String(e);
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
  close(): Promise<void>;
}

/** --serve: the reference server in this process, on free ports, with an in-memory database. */
export async function serveReference(opts: { faults: string[]; admin: { user: string; password: string } | null; contractsDir?: string }): Promise<ServedTarget> {
  checkFaultIds(opts.faults);
  const admin = opts.admin ?? SERVE_ADMIN;
  const { startServer } = await import('../reference-server/server.js');
  const server = await startServer({
    port: 0,
    grpcPort: 0,
    db: ':memory:',
    faults: opts.faults,
    adminUser: admin.user,
    adminPassword: admin.password,
    contractsDir: opts.contractsDir,
    logLevel: 'silent',
  });
  return { url: server.httpUrl, grpc: server.grpcAddress, admin, close: () => server.close() };
}
