/**
 * Which checks apply to a contract bundle. A check relies on the contract elements it cites (`cites` in its check()
 * metadata: 'http/openapi.json#/paths/…', 'websocket/asyncapi.yaml#/…', 'anychat.pkg.Service/Rpc', 'anychat.pkg.Message')
 * plus any it declares in `needs` (same forms, and 'notification:<type>'). With another contract version, a check
 * whose elements are missing is not applicable, and says which element is missing. Free-text citations ('README
 * convention: …', 'proto/**: …') name no element. Generic checks cite what they sweep from the loaded bundle itself,
 * so they apply to any bundle.
 *
 * Property names resolve up to casing style (createdAt finds created_at): the checks read fields through
 * fixtures/read.ts, which accepts either spelling.
 */
import protobuf from 'protobufjs';
import { ASYNCAPI_FILE, OPENAPI_FILE } from './catalogue.js';
import type { Contracts } from './index.js';

export const NOTIFICATION_NEED = 'notification:';

export interface ApplicabilityInput {
  cites: readonly string[];
  needs?: readonly string[];
}

export interface Applicability {
  applicable: boolean;
  /** Every missing element, described ('REST operation GET /sessions', 'rpc anychat.rtc.RTCService/GetMeeting'). */
  missing: string[];
}

const RPC = /^[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/;
const PROTO_NAME = /^[a-z_][\w]*(\.[A-Za-z_]\w*)+$/;

/** Does a citation name a contract element (as opposed to free text)? */
export function isElement(cite: string): boolean {
  return cite.startsWith(`${OPENAPI_FILE}#`) || cite.startsWith(`${ASYNCAPI_FILE}#`) || cite.startsWith(NOTIFICATION_NEED) || RPC.test(cite) || PROTO_NAME.test(cite);
}

const fold = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** How many leading segments of `ptr` resolve in `doc` (object keys also match up to casing style). */
function resolvedDepth(doc: unknown, segments: string[]): number {
  let cur: any = doc;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (cur == null || typeof cur !== 'object') return i;
    if (seg in cur) cur = cur[seg];
    else if (!Array.isArray(cur) && i > 0 && segments[i - 1] === 'properties') {
      const k = Object.keys(cur).find((x) => fold(x) === fold(seg));
      if (k === undefined) return i;
      cur = cur[k];
    } else return i;
  }
  return segments.length;
}

function describeOpenApi(segs: string[], depth: number): string {
  if (segs[0] === 'paths' && segs.length >= 3) {
    const op = `${segs[2]!.toUpperCase()} ${segs[1]}`;
    return depth < 3 ? `REST operation ${op}` : `${op} ${segs.slice(3, depth + 1).join('/')}`;
  }
  if (segs[0] === 'components' && segs[1] === 'schemas' && segs.length >= 3) {
    return depth < 3 ? `schema ${segs[2]}` : `schema ${segs[2]} ${segs.slice(3, depth + 1).join('/')}`;
  }
  return `${OPENAPI_FILE}#/${segs.slice(0, depth + 1).join('/')}`;
}

function describeAsyncApi(segs: string[], depth: number): string {
  if (segs[0] === 'components' && segs[1] === 'messages' && segs.length >= 3 && depth < 3) return `WS message ${segs[2]}`;
  return `${ASYNCAPI_FILE}#/${segs.slice(0, depth + 1).join('/')}`;
}

/** The missing element a citation names in this bundle, or null when it is there (or names no element). */
export function missingElement(cite: string, c: Contracts): string | null {
  for (const [file, doc, describe] of [
    [OPENAPI_FILE, c.bundle.openapi, describeOpenApi],
    [ASYNCAPI_FILE, c.bundle.asyncapi, describeAsyncApi],
  ] as const) {
    if (!cite.startsWith(`${file}#`)) continue;
    const ptr = cite.slice(file.length + 1);
    const segs = ptr.split('/').slice(1).map(unescape);
    const depth = resolvedDepth(doc, segs);
    return depth === segs.length ? null : describe(segs, depth);
  }
  if (cite.startsWith(NOTIFICATION_NEED)) {
    const type = cite.slice(NOTIFICATION_NEED.length);
    return c.catalogue.notificationTypes.includes(type) ? null : `notification type ${type}`;
  }
  if (RPC.test(cite)) return c.catalogue.rpcsByPath.has(`/${cite}`) ? null : `rpc ${cite}`;
  if (PROTO_NAME.test(cite)) {
    let found: protobuf.ReflectionObject | null = null;
    try {
      found = c.bundle.protoRoot.lookup(cite);
    } catch {
      found = null;
    }
    return found ? null : `proto ${cite}`;
  }
  return null;
}

/** Whether a check applies to this bundle, and every element it relies on that the bundle lacks. */
export function applicability(check: ApplicabilityInput, c: Contracts): Applicability {
  const missing = [...new Set([...check.cites, ...(check.needs ?? [])].map((x) => missingElement(x, c)).filter((x): x is string => x !== null))];
  return { applicable: missing.length === 0, missing };
}

/** The skip reason of a check that does not apply: 'not applicable: <missing element>[ (+n more)]'. */
export function notApplicableReason(a: Applicability): string {
  return `not applicable: ${a.missing[0]}${a.missing.length > 1 ? ` (+${a.missing.length - 1} more: ${a.missing.slice(1, 4).join(', ')}${a.missing.length > 4 ? ', …' : ''})` : ''}`;
}
