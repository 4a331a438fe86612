import type { Json } from '../bundle.js';
import { resolvePointer } from '../pointer.js';
import { caseKey, casingDetail } from './cross.js';
import type { Change } from './rules.js';

/** One side of a schema comparison: the document $refs resolve in, and its file name for locations. */
export interface SchemaSide {
  doc: Json;
  file: string;
}

export interface SchemaDiff {
  /** 'rest.request' | 'rest.response' | 'ws.publish' | 'ws.subscribe' — the rule prefix, which decides who breaks. */
  prefix: string;
  casingRule: string;
  old: SchemaSide;
  new: SchemaSide;
  /** Schema pairs already compared (by prefix and both pointers): a shared component is reported once, and cycles end. */
  seen: Set<string>;
  out: Change[];
  /** Pointers (old side) whose enum is diffed elsewhere (the notification types). */
  skipEnumAt?: Set<string>;
}

export interface Node {
  schema: Json;
  ptr: string;
  /** The nearest named schema ('LoginRequest') or the caller's label, and the property path below it. */
  label: string;
  path: string;
}

const shortName = (ref: string) => {
  const last = ref.split('/').pop() ?? ref;
  return last.includes('.') ? last.slice(last.lastIndexOf('.') + 1) : last;
};

/** Follow $refs to the schema they name; the label becomes the component's short name. */
export function deref(side: SchemaSide, node: Node): Node {
  let { schema, ptr, label, path } = node;
  for (let i = 0; i < 20 && schema && typeof schema.$ref === 'string' && schema.$ref.startsWith('#/'); i++) {
    ptr = decodeURIComponent(schema.$ref.slice(1));
    label = shortName(schema.$ref);
    path = '';
    schema = (resolvePointer(side.doc, ptr) as Json) ?? {};
  }
  return { schema: schema ?? {}, ptr, label, path };
}

interface ObjectView {
  props: Map<string, Node>;
  required: Set<string>;
}

function objectView(side: SchemaSide, node: Node): ObjectView {
  const props = new Map<string, Node>();
  const required = new Set<string>();
  const add = (n: Node) => {
    const s = n.schema;
    for (const [name, sub] of Object.entries<Json>(s.properties ?? {})) {
      props.set(name, { schema: sub, ptr: `${n.ptr}/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, label: n.label, path: n.path ? `${n.path}.${name}` : name });
    }
    for (const q of Array.isArray(s.required) ? s.required : []) required.add(String(q));
    (s.allOf ?? []).forEach((part: Json, i: number) => add(deref(side, { schema: part, ptr: `${n.ptr}/allOf/${i}`, label: n.label, path: n.path })));
  };
  add(node);
  return { props, required };
}

export function typeOf(s: Json): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (s.properties || s.allOf) return 'object';
  if (s.items) return 'array';
  return undefined;
}

/** The type, looking through a wrapper `allOf: [{$ref: Enum}]` (how swag writes a field typed by a named enum). */
function effectiveType(side: SchemaSide, n: Node): string | undefined {
  const s = n.schema;
  if (typeof s.type === 'string' || s.properties || !Array.isArray(s.allOf)) return typeOf(s);
  for (const [i, part] of s.allOf.entries()) {
    const t = effectiveType(side, deref(side, { schema: part, ptr: `${n.ptr}/allOf/${i}`, label: n.label, path: n.path }));
    if (t) return t;
  }
  return undefined;
}

const subjectOf = (n: Node) => (n.path ? `${n.label}.${n.path}` : n.label);
const loc = (side: SchemaSide, ptr: string) => `${side.file}#${ptr}`;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Compare two schemas (a request body, a response, a WS payload) and report every change under `d.prefix`. */
export function diffSchema(d: SchemaDiff, oldIn: Node, newIn: Node, depth = 0): void {
  const o = deref(d.old, oldIn);
  const n = deref(d.new, newIn);
  const key = `${d.prefix}|${o.ptr}|${n.ptr}`;
  if (d.seen.has(key) || depth > 16) return;
  d.seen.add(key);
  const emit = (rule: string, subject: string, detail: string | undefined, op: string, np: string) =>
    d.out.push({ rule: `${d.prefix}.${rule}`, subject, detail, old: loc(d.old, op), new: loc(d.new, np) });

  const to = effectiveType(d.old, o);
  const tn = effectiveType(d.new, n);
  if (to && tn && to !== tn) {
    emit('type-changed', subjectOf(n), `${to} → ${tn}`, o.ptr, n.ptr);
    return;
  }
  if ((o.schema.format ?? '') !== (n.schema.format ?? '')) {
    emit('format-changed', subjectOf(n), `${o.schema.format ?? '(none)'} → ${n.schema.format ?? '(none)'}`, o.ptr, n.ptr);
  }
  if (Array.isArray(o.schema.enum) && Array.isArray(n.schema.enum) && !d.skipEnumAt?.has(`${o.ptr}/enum`)) {
    const os = new Set(o.schema.enum.map(show));
    const ns = new Set(n.schema.enum.map(show));
    const added = [...ns].filter((v) => !os.has(v));
    const removed = [...os].filter((v) => !ns.has(v));
    if (added.length) emit('enum-value-added', subjectOf(n), added.join(', '), o.ptr, n.ptr);
    if (removed.length) emit('enum-value-removed', subjectOf(n), removed.join(', '), o.ptr, n.ptr);
  }
  if ((to ?? tn) === 'array' && o.schema.items && n.schema.items) {
    diffSchema(d, { schema: o.schema.items, ptr: `${o.ptr}/items`, label: o.label, path: `${o.path}[]` }, { schema: n.schema.items, ptr: `${n.ptr}/items`, label: n.label, path: `${n.path}[]` }, depth + 1);
    return;
  }
  if ((to ?? tn) !== 'object') return;
  const ov = objectView(d.old, o);
  const nv = objectView(d.new, n);
  const pairs: Array<[string, string]> = [];
  const casing: Array<[string, string]> = [];
  const added = [...nv.props.keys()].filter((k) => !ov.props.has(k));
  for (const name of ov.props.keys()) {
    if (nv.props.has(name)) {
      pairs.push([name, name]);
      continue;
    }
    const i = added.findIndex((a) => caseKey(a) === caseKey(name));
    if (i >= 0) {
      casing.push([name, added[i]!]);
      pairs.push([name, added[i]!]);
      added.splice(i, 1);
    } else {
      const p = ov.props.get(name)!;
      emit('property-removed', subjectOf(p), undefined, p.ptr, n.ptr);
    }
  }
  if (casing.length) {
    d.out.push({ rule: d.casingRule, subject: subjectOf(n), detail: casingDetail(casing), old: loc(d.old, o.ptr), new: loc(d.new, n.ptr) });
  }
  for (const name of added) {
    const p = nv.props.get(name)!;
    emit(nv.required.has(name) ? 'property-added-required' : 'property-added-optional', subjectOf(p), undefined, o.ptr, p.ptr);
  }
  for (const [on, nn] of pairs) {
    const op = ov.props.get(on)!;
    const np = nv.props.get(nn)!;
    const wasReq = ov.required.has(on);
    const isReq = nv.required.has(nn);
    if (!wasReq && isReq) emit('property-became-required', subjectOf(np), undefined, op.ptr, np.ptr);
    if (wasReq && !isReq) emit('property-became-optional', subjectOf(np), undefined, op.ptr, np.ptr);
    diffSchema(d, op, np, depth + 1);
  }
}

/** Property names (case-folded, nested to `depth`) of a schema: the shape used to recognise a rename. */
export function shapeOf(side: SchemaSide, node: Node, depth = 3, out = new Set<string>(), prefix = ''): Set<string> {
  const n = deref(side, node);
  if (depth < 0) return out;
  const t = typeOf(n.schema);
  if (t === 'array' && n.schema.items) return shapeOf(side, { ...n, schema: n.schema.items, ptr: `${n.ptr}/items` }, depth, out, `${prefix}[]`);
  if (t !== 'object') return out;
  for (const [name, p] of objectView(side, n).props) {
    const k = `${prefix}${caseKey(name)}`;
    out.add(k);
    shapeOf(side, p, depth - 1, out, `${k}.`);
  }
  return out;
}
