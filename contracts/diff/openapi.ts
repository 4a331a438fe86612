import type { DiffInput as Contracts } from './index.js';
import { OPENAPI_FILE, type RestOperation, type RestParam } from '../catalogue.js';
import { caseKey, casingDetail, matchRenamedOperations, RENAMED, type OpRename } from './cross.js';
import { diffSchema, shapeOf, typeOf, type SchemaDiff, type SchemaSide } from './schema.js';
import type { Change } from './rules.js';

const JSON_CT = 'application/json';

function responseSchema(doc: any, op: RestOperation, status: number): any {
  return doc.paths?.[op.path]?.[op.method.toLowerCase()]?.responses?.[String(status)]?.content?.[JSON_CT]?.schema;
}

function opShape(side: SchemaSide, op: RestOperation): Set<string> {
  const s = new Set<string>();
  for (const p of op.params) if (p.in !== 'path') s.add(`q:${caseKey(p.name)}`);
  if (op.requestBody) for (const k of shapeOf(side, { schema: op.requestBody.schema, ptr: `${op.pointer}/requestBody`, label: '', path: '' })) s.add(`b:${k}`);
  const res = responseSchema(side.doc, op, 200);
  if (res) for (const k of shapeOf(side, { schema: res, ptr: `${op.pointer}/responses/200`, label: '', path: '' })) s.add(`r:${k}`);
  return s;
}

/** REST: operations added / removed / renamed, then, per kept operation, security, parameters, request body, statuses, responses. */
export function diffOpenApi(a: Contracts, b: Contracts): { changes: Change[]; renames: OpRename[] } {
  const oldSide: SchemaSide = { doc: a.bundle.openapi, file: OPENAPI_FILE };
  const newSide: SchemaSide = { doc: b.bundle.openapi, file: OPENAPI_FILE };
  const out: Change[] = [];
  const oldOps = a.catalogue.operationsByKey;
  const newOps = b.catalogue.operationsByKey;
  const removed = [...oldOps.values()].filter((o) => !newOps.has(o.key));
  const added = [...newOps.values()].filter((o) => !oldOps.has(o.key));
  const renames = matchRenamedOperations(
    removed.map((o) => ({ key: o.key, method: o.method, path: o.path, shape: opShape(oldSide, o) })),
    added.map((o) => ({ key: o.key, method: o.method, path: o.path, shape: opShape(newSide, o) })),
  );
  const renamedOld = new Map(renames.map((r) => [r.old, r]));
  const renamedNew = new Set(renames.map((r) => r.new));
  for (const o of removed) if (!renamedOld.has(o.key)) out.push({ rule: 'rest.operation.removed', subject: o.key, old: o.cite });
  for (const o of added) if (!renamedNew.has(o.key)) out.push({ rule: 'rest.operation.added', subject: o.key, new: o.cite });
  for (const r of renames) {
    out.push({ rule: 'rest.operation.renamed', subject: `${r.old}${RENAMED}${r.new}`, detail: `${r.via}; ${r.noFields ? 'no fields of its own to compare' : `fields ${Math.round(r.similarity * 100)}% alike`}`, old: oldOps.get(r.old)!.cite, new: newOps.get(r.new)!.cite });
  }
  const pairs: Array<[RestOperation, RestOperation]> = [
    ...[...oldOps.values()].filter((o) => newOps.has(o.key)).map((o) => [o, newOps.get(o.key)!] as [RestOperation, RestOperation]),
    ...renames.map((r) => [oldOps.get(r.old)!, newOps.get(r.new)!] as [RestOperation, RestOperation]),
  ];
  const seen = new Set<string>();
  const ctx = (prefix: 'rest.request' | 'rest.response'): SchemaDiff => ({ prefix, casingRule: 'rest.schema.casing-changed', old: oldSide, new: newSide, seen, out });
  for (const [o, n] of pairs) {
    const subject = n.key;
    if (!o.secured && n.secured) out.push({ rule: 'rest.security.added', subject, old: o.cite, new: n.cite });
    if (o.secured && !n.secured) out.push({ rule: 'rest.security.removed', subject, old: o.cite, new: n.cite });
    diffParams(o, n, out);
    if (o.requestBody && n.requestBody) {
      diffSchema(ctx('rest.request'), { schema: o.requestBody.schema, ptr: `${o.pointer}/requestBody/content/application~1json/schema`, label: `${o.key} request body`, path: '' }, { schema: n.requestBody.schema, ptr: `${n.pointer}/requestBody/content/application~1json/schema`, label: `${n.key} request body`, path: '' });
    } else if (!o.requestBody && n.requestBody) out.push({ rule: 'rest.request.body-added', subject, old: o.cite, new: n.cite });
    else if (o.requestBody && !n.requestBody) out.push({ rule: 'rest.request.body-removed', subject, old: o.cite, new: n.cite });
    for (const s of o.statuses.filter((x) => !n.statuses.includes(x))) {
      out.push({ rule: s >= 200 && s < 300 ? 'rest.status.success-removed' : 'rest.status.removed', subject, detail: String(s), old: `${o.cite}/responses/${s}`, new: n.cite });
    }
    for (const s of n.statuses.filter((x) => !o.statuses.includes(x))) out.push({ rule: 'rest.status.added', subject, detail: String(s), old: o.cite, new: `${n.cite}/responses/${s}` });
    for (const s of o.statuses.filter((x) => n.statuses.includes(x))) {
      const os = responseSchema(a.bundle.openapi, o, s);
      const ns = responseSchema(b.bundle.openapi, n, s);
      if (!os || !ns) continue;
      const ptr = (op: RestOperation) => `${op.pointer}/responses/${s}/content/application~1json/schema`;
      diffSchema(ctx('rest.response'), { schema: os, ptr: ptr(o), label: `${o.key} ${s}`, path: '' }, { schema: ns, ptr: ptr(n), label: `${n.key} ${s}`, path: '' });
    }
  }
  return { changes: out, renames };
}

function diffParams(o: RestOperation, n: RestOperation, out: Change[]): void {
  const subject = n.key;
  // Path parameters are positional (their names belong to the path); the others are keyed by location and name.
  const keyed = (op: RestOperation) => {
    const m = new Map<string, RestParam>();
    let i = 0;
    for (const p of op.params) m.set(p.in === 'path' ? `path#${i++}` : `${p.in}:${p.name}`, p);
    return m;
  };
  const om = keyed(o);
  const nm = keyed(n);
  const added = [...nm.keys()].filter((k) => !om.has(k));
  const pairs: Array<[RestParam, RestParam]> = [];
  const casing: Array<[string, string]> = [];
  for (const [k, p] of om) {
    if (nm.has(k)) {
      pairs.push([p, nm.get(k)!]);
      continue;
    }
    const i = added.findIndex((x) => nm.get(x)!.in === p.in && caseKey(nm.get(x)!.name) === caseKey(p.name));
    if (i >= 0) {
      const np = nm.get(added[i]!)!;
      casing.push([p.name, np.name]);
      pairs.push([p, np]);
      added.splice(i, 1);
    } else out.push({ rule: 'rest.parameter.removed', subject, detail: `${p.in} ${p.name}`, old: `${o.cite}/parameters`, new: `${n.cite}/parameters` });
  }
  if (casing.length) out.push({ rule: 'rest.parameter.casing-changed', subject, detail: casingDetail(casing), old: `${o.cite}/parameters`, new: `${n.cite}/parameters` });
  for (const k of added) {
    const p = nm.get(k)!;
    out.push({ rule: p.required ? 'rest.parameter.added-required' : 'rest.parameter.added-optional', subject, detail: `${p.in} ${p.name}`, old: `${o.cite}/parameters`, new: `${n.cite}/parameters` });
  }
  for (const [op, np] of pairs) {
    const where = { old: `${o.cite}/parameters`, new: `${n.cite}/parameters` };
    if (!op.required && np.required) out.push({ rule: 'rest.parameter.became-required', subject, detail: `${np.in} ${np.name}`, ...where });
    if (op.required && !np.required && np.in !== 'path') out.push({ rule: 'rest.parameter.became-optional', subject, detail: `${np.in} ${np.name}`, ...where });
    const to = typeOf(op.schema);
    const tn = typeOf(np.schema);
    if (to && tn && to !== tn) out.push({ rule: 'rest.parameter.type-changed', subject, detail: `${np.in} ${np.name}: ${to} → ${tn}`, ...where });
    else if (JSON.stringify(op.schema.enum ?? null) !== JSON.stringify(np.schema.enum ?? null)) {
      out.push({ rule: 'rest.parameter.enum-changed', subject, detail: `${np.in} ${np.name}: ${JSON.stringify(op.schema.enum ?? null)} → ${JSON.stringify(np.schema.enum ?? null)}`, ...where });
    }
  }
}
