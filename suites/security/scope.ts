import { firstLine, knownBroken, markBroken } from '../../fixtures/prereq.js';
import type { RestApi, RestResponse } from '../../fixtures/rest-client.js';
import type { Target } from '../../fixtures/target.js';
import { ADMIN_LOGIN, adminClient } from '../../fixtures/users.js';
import { block, NO_ADMIN, securedOps } from '../rest/support.js';

/**
 * The scope of the security checks over "all protected operations" (SEC.1–SEC.7, SEC.AUTHZ.admin):
 * - non-admin operations always;
 * - admin operations only when admin is configured (credentials given) AND reachable: an admin login at the admin base
 *   URL (--admin-url, default `${restBase}/admin`) works. Otherwise they are left out, with the reason as a warning;
 * - of those, only operations the target serves: an answer of HTTP 404 whose body is not a JSON envelope is a
 *   framework's "no such route" (route placement), which REST.HG1 reports, once — not an authentication verdict.
 */

type Deps = { api: RestApi; target: Target; recorder: { warn(m: string): void } };

/** The admin login as setup: the token, or why admin operations are out of scope (and the owning check). */
export async function adminScope({ api, target }: Deps): Promise<{ token: string } | { reason: string; owner: string | null }> {
  if (!target.admin) return { reason: NO_ADMIN, owner: null };
  const known = knownBroken(ADMIN_LOGIN.key);
  if (known) return { reason: known.reason, owner: known.owner };
  try {
    return { token: (await adminClient(api, target)).token };
  } catch (e) {
    const reason = `${ADMIN_LOGIN.what} failed at ${target.adminBase}: ${firstLine(e)}`;
    markBroken({ ...ADMIN_LOGIN, reason });
    return { reason, owner: ADMIN_LOGIN.owner };
  }
}

/** Admin operations in scope (all 14, or none with a warning saying why). */
export async function adminOpsInScope(deps: Deps): Promise<string[]> {
  const s = await adminScope(deps);
  if ('token' in s) return securedOps(true);
  deps.recorder.warn(`admin operations not judged: ${s.reason}${s.owner ? ` — see ${s.owner}` : ''}`);
  return [];
}

/** The secured operations this check judges, and an admin token when admin operations are in scope. */
export async function protectedScope(deps: Deps): Promise<{ ops: string[]; adminToken?: string }> {
  const s = await adminScope(deps);
  if ('token' in s) return { ops: securedOps(), adminToken: s.token };
  deps.recorder.warn(`admin operations not judged: ${s.reason}${s.owner ? ` — see ${s.owner}` : ''}`);
  return { ops: securedOps(false) };
}

/** A framework's "no such route": HTTP 404 with a body that is not a JSON envelope {code, message}. */
export function routeNotServed(res: RestResponse): boolean {
  if (res.status !== 404) return false;
  const b = res.body;
  return !(b && typeof b === 'object' && !Array.isArray(b) && Number.isInteger(b.code) && typeof b.message === 'string');
}

/** After a sweep: say which operations were not judged as not served, and block when none was judged. */
export function reportUnserved(deps: Deps, unserved: string[], total: number): void {
  if (unserved.length === 0) return;
  deps.recorder.warn(`${unserved.length} operation(s) not judged: the route is not served (HTTP 404 without an envelope; REST.HG1 reports route placement): ${unserved.join(', ')}`);
  if (unserved.length === total) block('no protected operation is served at its contract route', 'REST.HG1');
}
