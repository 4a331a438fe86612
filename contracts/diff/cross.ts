/**
 * What no single-protocol diff sees: renames (same shape, new name) rather than remove + add, casing-only changes
 * collapsed per schema, and one concept renamed across REST, WebSocket and gRPC at once.
 */
import type { Change } from './rules.js';

/** Renames are reported with subject 'old ⇒ new'. */
export const RENAMED = ' ⇒ ';

/** Names equal up to casing style: deviceId, device_id, DeviceID, device-id all give 'deviceid'. */
export const caseKey = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

/** 'deviceId → device_id, clientVersion → client_version (+3 more)': the one line a casing change carries. */
export function casingDetail(pairs: Array<[string, string]>): string {
  const shown = pairs.slice(0, 3).map(([a, b]) => `${a} → ${b}`).join(', ');
  return `${pairs.length} ${pairs.length === 1 ? 'property' : 'properties'}: ${shown}${pairs.length > 3 ? ` (+${pairs.length - 3} more)` : ''}`;
}

/** Lower-case word tokens of a name, plural 's' dropped: '/sessions/{sessionId}/mute' → session, session, id, mute. */
export function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((t) => t.toLowerCase())
    .map((t) => (t.length > 3 && t.endsWith('s') && !t.endsWith('ss') ? t.slice(0, -1) : t));
}

/** The token substitution that turns one name into another ('rtc → calling'), or null when nothing maps cleanly. */
export function substitution(oldName: string, newName: string): string | null {
  const a = new Set(tokens(oldName));
  const b = new Set(tokens(newName));
  const gone = [...a].filter((t) => !b.has(t));
  const came = [...b].filter((t) => !a.has(t));
  return gone.length && came.length ? `${gone.join('+')} → ${came.join('+')}` : null;
}

/**
 * Replace `from` by `to` inside an identifier, keeping the identifier's casing style:
 * rtc→calling turns RTCService into CallingService, anychat.rtc into anychat.calling, RTC_STATUS into CALLING_STATUS.
 */
export function substitute(name: string, from: string, to: string): string {
  if (!from) return name;
  const esc = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return name.replace(new RegExp(esc, 'gi'), (m) => {
    if (m === m.toLowerCase()) return to.toLowerCase();
    if (name === name.toUpperCase()) return to.toUpperCase();
    return to[0]!.toUpperCase() + to.slice(1).toLowerCase();
  });
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

export interface OpShape {
  key: string;
  method: string;
  path: string;
  /** Case-folded request/response property names (and query parameter names). */
  shape: Set<string>;
}

export interface OpRename {
  old: string;
  new: string;
  similarity: number;
  /** The segment substitution shared by the renamed paths, e.g. 'rtc → calling'. */
  via: string;
  /** Neither operation has fields of its own (beyond what most operations share): the path substitution is the evidence. */
  noFields: boolean;
}

const isParam = (s: string) => /^\{.*\}$/.test(s);

/**
 * Removed and added operations that are one operation moved: same method, same path length, path parameters in the
 * same places, the literal segments differing by one substitution, and request/response shapes at least half alike.
 * The evidence is strong only when the substitution moves two or more operations (a renamed resource: /rtc → /calling),
 * or when a lone move keeps a non-empty shape identical.
 */
export function matchRenamedOperations(removed: OpShape[], added: OpShape[]): OpRename[] {
  interface Cand { r: OpShape; a: OpShape; sim: number; sig: string; empty: boolean }
  // Keys most operations share (the {code, message, data} envelope) say nothing about which operation this is.
  const df = new Map<string, number>();
  const all = [...removed, ...added];
  for (const o of all) for (const k of o.shape) df.set(k, (df.get(k) ?? 0) + 1);
  const telling = (o: OpShape): OpShape => ({ ...o, shape: new Set([...o.shape].filter((k) => df.get(k)! <= all.length / 2)) });
  removed = removed.map(telling);
  added = added.map(telling);
  const cands: Cand[] = [];
  for (const r of removed) {
    const rs = r.path.split('/').filter(Boolean);
    for (const a of added) {
      if (a.method !== r.method) continue;
      const as = a.path.split('/').filter(Boolean);
      if (as.length !== rs.length) continue;
      const diffs: string[] = [];
      let ok = true;
      for (let i = 0; i < rs.length; i++) {
        if (isParam(rs[i]!) !== isParam(as[i]!)) ok = false;
        else if (!isParam(rs[i]!) && rs[i] !== as[i]) diffs.push(`${rs[i]} → ${as[i]}`);
      }
      if (!ok || diffs.length === 0) continue;
      const sig = [...new Set(diffs)].join(', ');
      cands.push({ r, a, sim: jaccard(r.shape, a.shape), sig, empty: r.shape.size === 0 && a.shape.size === 0 });
    }
  }
  const sigCount = new Map<string, Set<string>>();
  for (const c of cands) if (c.sim >= 0.5) sigCount.set(c.sig, (sigCount.get(c.sig) ?? new Set()).add(c.r.key));
  const strong = cands.filter((c) => c.sim >= 0.5 && ((sigCount.get(c.sig)?.size ?? 0) >= 2 || (c.sim === 1 && !c.empty)));
  strong.sort((x, y) => (sigCount.get(y.sig)!.size - sigCount.get(x.sig)!.size) || y.sim - x.sim || x.r.key.localeCompare(y.r.key));
  const usedOld = new Set<string>();
  const usedNew = new Set<string>();
  const out: OpRename[] = [];
  for (const c of strong) {
    if (usedOld.has(c.r.key) || usedNew.has(c.a.key)) continue;
    usedOld.add(c.r.key);
    usedNew.add(c.a.key);
    out.push({ old: c.r.key, new: c.a.key, similarity: c.sim, via: c.sig, noFields: c.empty });
  }
  return out;
}

/**
 * Renamed notification types: 'session.deleted' → 'conversation.deleted' when the same prefix substitution renames
 * two or more types (one lone pair is too weak to call a rename).
 */
export function matchRenamedByPrefix(removed: string[], added: string[]): Array<[string, string]> {
  const split = (s: string) => {
    const i = s.indexOf('.');
    return i < 0 ? ['', s] : [s.slice(0, i), s.slice(i + 1)];
  };
  const bySig = new Map<string, Array<[string, string]>>();
  for (const r of removed) {
    const [rp, rs] = split(r);
    for (const a of added) {
      const [ap, as] = split(a);
      if (rs === as && rp !== ap) bySig.set(`${rp}|${ap}`, [...(bySig.get(`${rp}|${ap}`) ?? []), [r, a]]);
    }
  }
  const out: Array<[string, string]> = [];
  const used = new Set<string>();
  for (const pairs of [...bySig.values()].sort((x, y) => y.length - x.length)) {
    if (pairs.length < 2) continue;
    for (const [r, a] of pairs) {
      if (used.has(r) || used.has(a)) continue;
      used.add(r).add(a);
      out.push([r, a]);
    }
  }
  return out;
}

const RENAME_RULES: Record<string, 'REST' | 'WS' | 'gRPC'> = {
  'rest.operation.renamed': 'REST',
  'ws.notification.renamed': 'WS',
  'grpc.package.renamed': 'gRPC',
  'grpc.service.renamed': 'gRPC',
  'grpc.rpc.renamed': 'gRPC',
  'grpc.message.renamed': 'gRPC',
};

const NOUN: Record<string, string> = {
  'rest.operation.renamed': 'operation',
  'ws.notification.renamed': 'notification type',
  'grpc.package.renamed': 'package',
  'grpc.service.renamed': 'service',
  'grpc.rpc.renamed': 'rpc',
  'grpc.message.renamed': 'message',
};

/**
 * One `cross.concept-renamed` per token substitution (session → conversation) that renames things in two or more
 * protocols: the same concept moved in REST paths, WS notification types and proto packages together.
 */
export function conceptRenames(changes: Change[]): Change[] {
  const by = new Map<string, Map<string, number>>();
  for (const c of changes) {
    if (!(c.rule in RENAME_RULES)) continue;
    const [from, to] = c.subject.split(' ⇒ ');
    const sub = from && to ? substitution(from, to) : null;
    if (!sub) continue;
    const m = by.get(sub) ?? new Map<string, number>();
    m.set(c.rule, (m.get(c.rule) ?? 0) + 1);
    by.set(sub, m);
  }
  const out: Change[] = [];
  for (const [sub, counts] of by) {
    const protocols = new Set([...counts.keys()].map((r) => RENAME_RULES[r]));
    if (protocols.size < 2) continue;
    const parts = ['REST', 'WS', 'gRPC'].flatMap((p) => {
      const items = [...counts].filter(([r]) => RENAME_RULES[r] === p).map(([r, n]) => `${n} ${NOUN[r]}${n > 1 ? 's' : ''}`);
      return items.length ? [`${p} ${items.join(', ')}`] : [];
    });
    out.push({ rule: 'cross.concept-renamed', subject: sub, detail: parts.join('; ') });
  }
  return out;
}
