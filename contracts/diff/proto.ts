import protobuf from 'protobufjs';
import type { DiffInput as Contracts } from './index.js';
import { RENAMED, substitute } from './cross.js';
import type { Change } from './rules.js';

interface PField { name: string; id: number; type: string; kind: 'scalar' | 'message' | 'enum'; label: string; json: string }
interface PMessage { fq: string; pkg: string; short: string; fields: PField[]; reserved: Array<[number, number]>; file: string }
interface PEnum { fq: string; pkg: string; short: string; values: Map<string, number>; file: string }
interface PMethod { name: string; req: string; res: string; reqStream: boolean; resStream: boolean }
interface PService { fq: string; pkg: string; short: string; methods: Map<string, PMethod>; file: string }
interface Model { messages: Map<string, PMessage>; enums: Map<string, PEnum>; services: Map<string, PService>; packages: Set<string> }

const fq = (o: protobuf.ReflectionObject) => o.fullName.replace(/^\./, '');
const fileOf = (o: protobuf.ReflectionObject) => `proto/${(o.filename ?? '').split('/proto/').pop() ?? ''}`;
/** protoc's JSON name: underscores dropped, the next letter upper-cased. */
const jsonName = (n: string) => n.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

function buildModel(root: protobuf.Root): Model {
  const m: Model = { messages: new Map(), enums: new Map(), services: new Map(), packages: new Set() };
  const walk = (ns: protobuf.NamespaceBase, pkg: string) => {
    for (const child of ns.nestedArray) {
      const name = fq(child);
      if (name.startsWith('google.')) continue;
      if (child instanceof protobuf.Type) {
        m.packages.add(pkg);
        const fields = child.fieldsArray.map((f): PField => {
          f.resolve();
          const kind = f.resolvedType instanceof protobuf.Type ? 'message' : f.resolvedType instanceof protobuf.Enum ? 'enum' : 'scalar';
          const type = f.resolvedType ? fq(f.resolvedType) : f.type;
          const label = f instanceof protobuf.MapField ? `map<${f.keyType}>` : f.repeated ? 'repeated' : f.options?.proto3_optional ? 'optional' : '';
          return { name: f.name, id: f.id, type, kind, label, json: jsonName(f.name) };
        });
        const reserved = (child.reserved ?? []).filter((x): x is number[] => Array.isArray(x)).map((x) => [x[0]!, x[1]!] as [number, number]);
        m.messages.set(name, { fq: name, pkg, short: name.slice(pkg.length + 1), fields, reserved, file: fileOf(child) });
        walk(child, pkg);
      } else if (child instanceof protobuf.Enum) {
        m.packages.add(pkg);
        m.enums.set(name, { fq: name, pkg, short: name.slice(pkg.length + 1), values: new Map(Object.entries(child.values)), file: fileOf(child) });
      } else if (child instanceof protobuf.Service) {
        m.packages.add(pkg);
        const methods = new Map<string, PMethod>();
        for (const x of child.methodsArray) {
          x.resolve();
          methods.set(x.name, { name: x.name, req: fq(x.resolvedRequestType!), res: fq(x.resolvedResponseType!), reqStream: !!x.requestStream, resStream: !!x.responseStream });
        }
        m.services.set(name, { fq: name, pkg, short: child.name, methods, file: fileOf(child) });
      } else if (child instanceof protobuf.Namespace) {
        walk(child, name);
      }
    }
  };
  walk(root, '');
  return m;
}

/** Wire shape of a message: field numbers, scalar types or kinds, labels — names left out, so renames keep it. */
const signature = (msg: PMessage) => msg.fields.map((f) => `${f.id}:${f.kind === 'scalar' ? f.type : f.kind}:${f.label}`).sort().join(',');

/** Types that share one binary encoding (a value written as one reads as the other); null when no other type does. */
function wireGroup(f: PField): string | null {
  if (f.label.startsWith('map')) return null;
  if (f.kind === 'enum' || ['int32', 'int64', 'uint32', 'uint64', 'bool'].includes(f.type)) return 'varint';
  if (['sint32', 'sint64'].includes(f.type)) return 'zigzag';
  if (['string', 'bytes'].includes(f.type)) return 'bytes';
  if (['fixed32', 'sfixed32'].includes(f.type)) return 'fixed32';
  if (['fixed64', 'sfixed64'].includes(f.type)) return 'fixed64';
  return null;
}

const lastSeg = (pkg: string) => pkg.split('.').pop() ?? pkg;

/**
 * Protobuf, with buf's categories: packages renamed (most messages reappear under the substituted name with the same
 * wire shape), services / rpcs / messages / enums renamed, added, removed; per kept message the fields by number; per
 * kept enum the values.
 */
export function diffProto(a: Contracts, b: Contracts): Change[] {
  const O = buildModel(a.bundle.protoRoot);
  const N = buildModel(b.bundle.protoRoot);
  const out: Change[] = [];

  // 1. Package renames: a package gone, another new, and most of its messages found there by substituted name + same shape.
  const pkgMap = new Map<string, string>();
  const gonePkgs = [...O.packages].filter((p) => !N.packages.has(p));
  const newPkgs = [...N.packages].filter((p) => !O.packages.has(p));
  for (const gp of gonePkgs) {
    let best: [string, number] | null = null;
    const msgs = [...O.messages.values()].filter((m) => m.pkg === gp);
    if (msgs.length === 0) continue;
    for (const np of newPkgs) {
      if ([...pkgMap.values()].includes(np)) continue;
      const hits = msgs.filter((m) => {
        const cand = N.messages.get(`${np}.${substitute(m.short, lastSeg(gp), lastSeg(np))}`);
        return cand && signature(cand) === signature(m);
      }).length;
      const score = hits / msgs.length;
      if (score >= 0.5 && (!best || score > best[1])) best = [np, score];
    }
    if (best) {
      pkgMap.set(gp, best[0]);
      out.push({ rule: 'grpc.package.renamed', subject: `${gp}${RENAMED}${best[0]}`, detail: `${Math.round(best[1] * 100)}% of its messages kept their wire shape`, old: gp, new: best[0] });
    }
  }
  /** Where an old fully-qualified name would be in the new version if only its package moved. */
  const moved = (name: string, pkg: string): string => {
    const np = pkgMap.get(pkg);
    return np ? `${np}.${substitute(name.slice(pkg.length + 1), lastSeg(pkg), lastSeg(np))}` : name;
  };

  // 2. Messages and enums: same name, name moved with the package, or (messages) the one new message of the same shape.
  const msgMap = new Map<string, string>();
  const enumMap = new Map<string, string>();
  for (const m of O.messages.values()) {
    const cand = moved(m.fq, m.pkg);
    if (N.messages.has(cand)) msgMap.set(m.fq, cand);
  }
  for (const e of O.enums.values()) {
    const cand = moved(e.fq, e.pkg);
    if (N.enums.has(cand)) enumMap.set(e.fq, cand);
  }
  const takenMsgs = new Set(msgMap.values());
  const freshBySig = new Map<string, PMessage[]>();
  for (const m of N.messages.values()) {
    if (takenMsgs.has(m.fq) || m.fields.length === 0) continue;
    freshBySig.set(signature(m), [...(freshBySig.get(signature(m)) ?? []), m]);
  }
  const goneBySig = new Map<string, PMessage[]>();
  for (const m of O.messages.values()) if (!msgMap.has(m.fq) && m.fields.length) goneBySig.set(signature(m), [...(goneBySig.get(signature(m)) ?? []), m]);
  for (const [sig, gone] of goneBySig) {
    const fresh = freshBySig.get(sig);
    if (gone.length === 1 && fresh?.length === 1) msgMap.set(gone[0]!.fq, fresh[0]!.fq);
  }
  const mappedType = (t: string) => msgMap.get(t) ?? enumMap.get(t) ?? t;
  const msgImage = new Set(msgMap.values());
  const enumImage = new Set(enumMap.values());
  for (const [o, n] of msgMap) {
    const om = O.messages.get(o)!;
    const nm = N.messages.get(n)!;
    if (om.short.split('.').pop() !== nm.short.split('.').pop()) out.push({ rule: 'grpc.message.renamed', subject: `${o}${RENAMED}${n}`, old: `${om.file}:${o}`, new: `${nm.file}:${n}` });
    diffFields(om, nm, mappedType, out);
  }
  for (const m of O.messages.values()) if (!msgMap.has(m.fq)) out.push({ rule: 'grpc.message.removed', subject: m.fq, old: `${m.file}:${m.fq}` });
  for (const m of N.messages.values()) if (!msgImage.has(m.fq)) out.push({ rule: 'grpc.message.added', subject: m.fq, new: `${m.file}:${m.fq}` });
  for (const [o, n] of enumMap) diffEnum(O.enums.get(o)!, N.enums.get(n)!, out);
  for (const e of O.enums.values()) if (!enumMap.has(e.fq)) out.push({ rule: 'grpc.enum.removed', subject: e.fq, old: `${e.file}:${e.fq}` });
  for (const e of N.enums.values()) if (!enumImage.has(e.fq)) out.push({ rule: 'grpc.enum.added', subject: e.fq, new: `${e.file}:${e.fq}` });

  // 3. Services: moved with the package, or the new service in the same package that carries most of its rpcs.
  const svcMap = new Map<string, string>();
  for (const s of O.services.values()) {
    const cand = moved(s.fq, s.pkg);
    if (N.services.has(cand)) svcMap.set(s.fq, cand);
  }
  for (const s of O.services.values()) {
    if (svcMap.has(s.fq)) continue;
    const targetPkg = pkgMap.get(s.pkg) ?? s.pkg;
    const image = new Set(svcMap.values());
    const best = [...N.services.values()]
      .filter((n) => n.pkg === targetPkg && !image.has(n.fq) && !O.services.has(n.fq))
      .map((n) => [n, [...s.methods.keys()].filter((r) => n.methods.has(r) || n.methods.has(substitute(r, s.short.replace(/Service$/, ''), n.short.replace(/Service$/, '')))).length / s.methods.size] as const)
      .sort((x, y) => y[1] - x[1])[0];
    if (best && best[1] >= 0.5) svcMap.set(s.fq, best[0].fq);
  }
  const svcImage = new Set(svcMap.values());
  for (const s of O.services.values()) if (!svcMap.has(s.fq)) out.push({ rule: 'grpc.service.removed', subject: s.fq, detail: `${s.methods.size} rpcs`, old: `${s.file}:${s.fq}` });
  for (const s of N.services.values()) if (!svcImage.has(s.fq)) out.push({ rule: 'grpc.service.added', subject: s.fq, detail: `${s.methods.size} rpcs`, new: `${s.file}:${s.fq}` });
  for (const [o, n] of svcMap) {
    const os = O.services.get(o)!;
    const ns = N.services.get(n)!;
    if (os.short !== ns.short) out.push({ rule: 'grpc.service.renamed', subject: `${o}${RENAMED}${n}`, old: `${os.file}:${o}`, new: `${ns.file}:${n}` });
    diffRpcs(os, ns, mappedType, O, N, out);
  }
  return out;
}

function diffRpcs(os: PService, ns: PService, mappedType: (t: string) => string, O: Model, N: Model, out: Change[]): void {
  const from = lastSeg(os.pkg) !== lastSeg(ns.pkg) ? [lastSeg(os.pkg), lastSeg(ns.pkg)] : [os.short.replace(/Service$/, ''), ns.short.replace(/Service$/, '')];
  const pairs: Array<[PMethod, PMethod]> = [];
  const unmatchedNew = new Set([...ns.methods.keys()]);
  const unmatchedOld: PMethod[] = [];
  for (const m of os.methods.values()) {
    const n = ns.methods.get(m.name) ?? ns.methods.get(substitute(m.name, from[0]!, from[1]!));
    if (n && unmatchedNew.has(n.name)) {
      pairs.push([m, n]);
      unmatchedNew.delete(n.name);
    } else unmatchedOld.push(m);
  }
  // An rpc with a new name but the same (mapped) request and response types is the same rpc renamed.
  for (const m of [...unmatchedOld]) {
    const same = [...unmatchedNew].map((x) => ns.methods.get(x)!).filter((n) => mappedType(m.req) === n.req && mappedType(m.res) === n.res && m.req !== m.res);
    if (same.length === 1) {
      pairs.push([m, same[0]!]);
      unmatchedNew.delete(same[0]!.name);
      unmatchedOld.splice(unmatchedOld.indexOf(m), 1);
    }
  }
  for (const m of unmatchedOld) out.push({ rule: 'grpc.rpc.removed', subject: `${os.fq}/${m.name}`, old: `${os.file}:${os.fq}/${m.name}` });
  for (const x of unmatchedNew) out.push({ rule: 'grpc.rpc.added', subject: `${ns.fq}/${x}`, new: `${ns.file}:${ns.fq}/${x}` });
  for (const [m, n] of pairs) {
    const where = { old: `${os.file}:${os.fq}/${m.name}`, new: `${ns.file}:${ns.fq}/${n.name}` };
    if (m.name !== n.name) out.push({ rule: 'grpc.rpc.renamed', subject: `${os.fq}/${m.name}${RENAMED}${ns.fq}/${n.name}`, ...where });
    const sameShape = (ot: string, nt: string) => {
      const om = O.messages.get(ot);
      const nm = N.messages.get(nt);
      return !!om && !!nm && signature(om) === signature(nm);
    };
    if (mappedType(m.req) !== n.req && !sameShape(m.req, n.req)) out.push({ rule: 'grpc.rpc.request-type-changed', subject: `${ns.fq}/${n.name}`, detail: `${m.req} → ${n.req}`, ...where });
    if (mappedType(m.res) !== n.res && !sameShape(m.res, n.res)) out.push({ rule: 'grpc.rpc.response-type-changed', subject: `${ns.fq}/${n.name}`, detail: `${m.res} → ${n.res}`, ...where });
    if (m.reqStream !== n.reqStream || m.resStream !== n.resStream) out.push({ rule: 'grpc.rpc.streaming-changed', subject: `${ns.fq}/${n.name}`, ...where });
  }
}

function diffFields(om: PMessage, nm: PMessage, mappedType: (t: string) => string, out: Change[]): void {
  const byId = (m: PMessage) => new Map(m.fields.map((f) => [f.id, f]));
  const oi = byId(om);
  const ni = byId(nm);
  const nByName = new Map(nm.fields.map((f) => [f.name, f]));
  const loc = (m: PMessage, f?: PField) => `${m.file}:${m.fq}${f ? `.${f.name}` : ''}`;
  const renumbered = new Set<number>();
  for (const f of om.fields) {
    const g = ni.get(f.id);
    const subject = `${nm.fq}.${g?.name ?? f.name}`;
    if (!g) {
      const same = nByName.get(f.name);
      if (same && !oi.has(same.id)) {
        renumbered.add(same.id);
        out.push({ rule: 'grpc.field.number-changed', subject, detail: `${f.id} → ${same.id}`, old: loc(om, f), new: loc(nm, same) });
      } else out.push({ rule: 'grpc.field.removed', subject, detail: `#${f.id}`, old: loc(om, f), new: loc(nm) });
      continue;
    }
    const where = { old: loc(om, f), new: loc(nm, g) };
    if (f.name !== g.name) out.push({ rule: f.json === g.json ? 'grpc.field.renamed-json-compatible' : 'grpc.field.renamed', subject: `${nm.fq}.${f.name}${RENAMED}${g.name}`, detail: `#${f.id}`, ...where });
    if (mappedType(f.type) !== g.type) out.push({ rule: wireGroup(f) && wireGroup(f) === wireGroup(g) ? 'grpc.field.type-changed-json-only' : 'grpc.field.type-changed', subject, detail: `${f.type} → ${g.type}`, ...where });
    if (f.label !== g.label) out.push({ rule: 'grpc.field.label-changed', subject, detail: `${f.label || 'singular'} → ${g.label || 'singular'}`, ...where });
  }
  for (const g of nm.fields) {
    if (oi.has(g.id) || renumbered.has(g.id)) continue;
    const reserved = om.reserved.some(([lo, hi]) => g.id >= lo && g.id <= hi);
    out.push({ rule: reserved ? 'grpc.field.reserved-reused' : 'grpc.field.added', subject: `${nm.fq}.${g.name}`, detail: `#${g.id}`, old: loc(om), new: loc(nm, g) });
  }
}

function diffEnum(oe: PEnum, ne: PEnum, out: Change[]): void {
  const byNum = (e: PEnum) => new Map([...e.values].map(([k, v]) => [v, k]));
  const on = byNum(oe);
  const nn = byNum(ne);
  const where = { old: `${oe.file}:${oe.fq}`, new: `${ne.file}:${ne.fq}` };
  const mapName = (k: string) => substitute(k, lastSeg(oe.pkg), lastSeg(ne.pkg));
  for (const [name, num] of oe.values) {
    const target = ne.values.has(name) ? name : ne.values.has(mapName(name)) ? mapName(name) : null;
    if (target !== null) {
      if (ne.values.get(target) !== num) out.push({ rule: 'grpc.enum.value-number-changed', subject: `${ne.fq}.${target}`, detail: `${num} → ${ne.values.get(target)}`, ...where });
      else if (target !== name) out.push({ rule: 'grpc.enum.value-renamed', subject: `${ne.fq}.${name}${RENAMED}${target}`, ...where });
      continue;
    }
    const other = nn.get(num);
    if (other !== undefined && !oe.values.has(other)) out.push({ rule: 'grpc.enum.value-renamed', subject: `${ne.fq}.${name}${RENAMED}${other}`, detail: `= ${num}`, ...where });
    else out.push({ rule: 'grpc.enum.value-removed', subject: `${oe.fq}.${name}`, detail: `= ${num}`, ...where });
  }
  for (const [name, num] of ne.values) {
    if (oe.values.has(name) || [...oe.values.keys()].some((k) => mapName(k) === name)) continue;
    const prev = on.get(num);
    if (prev !== undefined && !ne.values.has(prev)) continue; // reported as renamed
    out.push({ rule: 'grpc.enum.value-added', subject: `${ne.fq}.${name}`, detail: `= ${num}`, ...where });
  }
}
