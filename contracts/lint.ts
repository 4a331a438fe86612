import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { Json } from './bundle.js';
import { ASYNCAPI_FILE, NOTIFICATION_ENUM_POINTER, OPENAPI_FILE, type RestOperation } from './catalogue.js';
import type { Contracts } from './index.js';
import { pointer } from './pointer.js';
import { ENVELOPE_SCHEMA } from './validators.js';

/** One defect or cross-contract inconsistency of the contract itself, with every location that shows it. */
export interface LintFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  locations: string[];
  detail?: string;
}

type Rule = (c: Contracts, ctx: LintContext) => LintFinding | LintFinding[] | null;

interface LintContext {
  schemas: Record<string, Json>;
  /** proto file path (relative to proto/) → lines */
  protoLines: Record<string, string[]>;
}

const oa = (...segs: Array<string | number>) => `${OPENAPI_FILE}#${pointer(...segs)}`;
const aa = (...segs: Array<string | number>) => `${ASYNCAPI_FILE}#${pointer(...segs)}`;
const schemaLoc = (name: string, ...rest: string[]) => oa('components', 'schemas', name, ...rest);
const shortName = (name: string) => name.split('.').pop() ?? name;

/** Lines of every proto whose text matches `re`, as `proto/<file>:<line>` locations. */
function protoGrep(ctx: LintContext, re: RegExp): string[] {
  const out: string[] = [];
  for (const [file, lines] of Object.entries(ctx.protoLines)) {
    lines.forEach((l, i) => re.test(l) && out.push(`proto/${file}:${i + 1}`));
  }
  return out;
}

function eachSchemaProperty(ctx: LintContext, visit: (schema: string, prop: string, def: Json) => void): void {
  for (const [name, s] of Object.entries(ctx.schemas)) {
    for (const [prop, def] of Object.entries<Json>(s.properties ?? {})) visit(name, prop, def);
  }
}

function walkProtoTypes(root: protobuf.NamespaceBase, visit: (t: protobuf.Type) => void): void {
  for (const child of root.nestedArray) {
    if (child instanceof protobuf.Type) visit(child);
    if (child instanceof protobuf.Namespace) walkProtoTypes(child, visit);
  }
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const rules: Rule[] = [
  // Loader-patched defects (the /ws responses) come first.
  (c) => c.bundle.defects.map((d) => ({ id: 'OAS-INVALID-RESPONSES', severity: 'error', title: `invalid OpenAPI 3.0: ${d.message}`, locations: [`${d.file}#${d.pointer}`] })),

  (_c, ctx) => {
    const asyncSeconds = ['MessageSent', 'Notification'].map((m) => aa('components', 'messages', m, 'payload', 'properties', 'payload', 'properties', 'timestamp'));
    const isoStrings: string[] = [];
    const intTimes: string[] = [];
    eachSchemaProperty(ctx, (s, p, d) => {
      if (!/(At|Time|birthday)$/.test(p)) return;
      if (d.type === 'string') isoStrings.push(schemaLoc(s, 'properties', p));
      if (d.type === 'integer') intTimes.push(schemaLoc(s, 'properties', p));
    });
    const protoTs = protoGrep(ctx, /google\.protobuf\.Timestamp\s+\w+\s*=/);
    const protoInt = protoGrep(ctx, /int64\s+\w*(_at|_time|timestamp)\s*=/);
    return {
      id: 'TIME-UNITS', severity: 'error',
      title: 'timestamps use four conventions: AsyncAPI "Unix seconds" integers, OpenAPI ISO-8601 strings and integer times, proto Timestamp messages and unit-less int64',
      detail: `${asyncSeconds.length} AsyncAPI seconds fields, ${isoStrings.length} OpenAPI string times, ${intTimes.length} OpenAPI integer times, ${protoTs.length} proto Timestamp fields, ${protoInt.length} proto int64 times (upstream README says milliseconds; no file in the bundle agrees)`,
      locations: [...asyncSeconds, ...isoStrings, ...intTimes, ...protoTs.slice(0, 6), ...protoInt],
    };
  },

  (c) => {
    // OpenAPI/AsyncAPI camelCase vs proto snake_case, and names that drift between REST schemas and the proto message of the same name.
    const protoByShort = new Map<string, protobuf.Type>();
    walkProtoTypes(c.bundle.protoRoot, (t) => { if (!t.fullName.startsWith('.google')) protoByShort.set(t.name, t); });
    const drift: string[] = [];
    for (const [name, s] of Object.entries<Json>(c.bundle.openapi.components?.schemas ?? {})) {
      const t = protoByShort.get(shortName(name));
      if (!t || !s.properties) continue;
      const protoNames = new Set(t.fieldsArray.map((f) => camel(f.name)));
      for (const p of Object.keys(s.properties)) {
        if (!protoNames.has(p)) drift.push(`${schemaLoc(name, 'properties', p)} (no '${p}' in ${t.fullName.slice(1)}: ${[...protoNames].join(', ')})`);
      }
    }
    return { id: 'NAME-DRIFT', severity: 'warning', title: 'REST schema fields with no counterpart (in lowerCamelCase) in the proto message of the same name', locations: drift };
  },

  (_c, ctx) => {
    const locs = [
      aa('components', 'messages', 'MessageSend', 'payload', 'properties', 'payload', 'properties', 'conversationType', 'enum'),
      ...protoGrep(ctx, /(conversation_type|session_type).*single/),
    ];
    return { id: 'PRIVATE-VS-SINGLE', severity: 'error', title: "one-to-one conversations are 'private' in the AsyncAPI but 'single' in the protos", locations: locs };
  },

  (_c, ctx) => {
    const locs = [aa('components', 'messages', 'MessageSend', 'payload', 'properties', 'payload', 'properties', 'contentType', 'enum'), ...protoGrep(ctx, /content_type.*card/)];
    return { id: 'CONTENT-TYPE-VOCAB', severity: 'warning', title: "message content types differ: AsyncAPI has 'custom', the protos say 'card'", locations: locs };
  },

  (c) => {
    const ops = c.catalogue.operations.filter((o) => o.requestBody && !o.requestBody.typed);
    return { id: 'UNTYPED-REQUEST-BODY', severity: 'warning', title: `${ops.length} request bodies are a bare {"type":"object"} with no properties`, locations: ops.map((o) => `${o.cite}/requestBody (${o.key})`) };
  },

  (c) => {
    const ops = c.catalogue.operations.filter((o) => o.dataKind === 'object');
    return { id: 'UNTYPED-DATA', severity: 'warning', title: `${ops.length} operations declare data as an untyped object`, locations: ops.map((o) => `${o.cite}/responses/200 (${o.key})`) };
  },

  (c) => {
    const ops = c.catalogue.operations.filter((o) => o.dataKind === 'bare');
    return { id: 'BARE-ENVELOPE', severity: 'info', title: `${ops.length} operations return the bare envelope with no statement about data`, locations: ops.map((o) => `${o.cite}/responses/200 (${o.key})`) };
  },

  (c) => {
    const schemes = c.bundle.openapi.components?.securitySchemes ?? {};
    return Object.entries<Json>(schemes)
      .filter(([, s]) => !(s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer'))
      .map(([name, s]) => ({ id: 'SECURITY-SCHEME', severity: 'warning' as const, title: `security scheme ${name} is ${s.type}/${s.in ?? ''} '${s.name ?? ''}', not http bearer; the "Bearer " prefix lives only in its description`, locations: [oa('components', 'securitySchemes', name)] }));
  },

  (c) => {
    const ops = c.catalogue.operations.filter((o) => o.secured && !o.statuses.includes(401));
    return { id: 'SECURED-WITHOUT-401', severity: 'error', title: `${ops.length} secured operations declare no 401 response`, locations: ops.map((o) => `${o.cite}/responses (${o.key})`) };
  },

  (c) => {
    const odd = c.catalogue.services.filter((s) => !s.startsWith('anychat.'));
    return odd.length ? { id: 'PROTO-PACKAGE-NAMING', severity: 'warning', title: `proto packages outside the anychat.* convention: ${odd.join(', ')}`, locations: odd.map((s) => c.catalogue.rpcs.find((r) => r.fullService === s)!.protoFile).map((f) => `proto/${f}`) } : null;
  },

  (c) => {
    const r = c.bundle.openapi.components?.schemas?.[ENVELOPE_SCHEMA];
    return r && !r.required ? { id: 'ENVELOPE-NOT-REQUIRED', severity: 'warning', title: 'the response envelope lists no required fields (code, message are optional as written)', locations: [schemaLoc(ENVELOPE_SCHEMA)] } : null;
  },

  (c) => {
    const n = c.catalogue.operations.filter((o) => !(c.bundle.openapi.paths[o.path]?.[o.method.toLowerCase()]?.operationId)).length;
    return n ? { id: 'NO-OPERATION-IDS', severity: 'info', title: `${n} of ${c.catalogue.operations.length} operations have no operationId (ops are keyed 'METHOD /path')`, locations: [oa('paths')] } : null;
  },

  (c) => {
    const locs: string[] = [];
    (c.bundle.openapi.servers ?? []).forEach((s: Json, i: number) => { if (!/^[a-z]+:\/\//i.test(s.url)) locs.push(`${oa('servers', i, 'url')} (${s.url})`); });
    for (const [n, s] of Object.entries<Json>(c.bundle.asyncapi.servers ?? {})) if (!/^[a-z]+:\/\//i.test(s.url)) locs.push(`${aa('servers', n, 'url')} (${s.url})`);
    return locs.length ? { id: 'SERVER-URL-NO-SCHEME', severity: 'info', title: 'server URLs without a scheme', locations: locs } : null;
  },

  (c, ctx) => {
    const locs: string[] = [];
    for (const name of c.catalogue.protoEnums) {
      const e = c.bundle.protoRoot.lookupEnum(name);
      const zero = Object.entries(e.values).find(([, v]) => v === 0)?.[0];
      if (zero && !/UNSPECIFIED|UNKNOWN/.test(zero)) locs.push(...protoGrep(ctx, new RegExp(`\\b${zero}\\s*=\\s*0`)).map((l) => `${l} (${name}.${zero})`));
    }
    return locs.length ? { id: 'ENUM-MEANINGFUL-ZERO', severity: 'warning', title: 'proto enums whose zero value carries meaning (absent = that value in proto3)', locations: locs } : null;
  },

  (c) => {
    const ex = c.bundle.asyncapi.components?.messages?.Notification?.examples ?? [];
    const locs: string[] = [];
    ex.forEach((e: Json, i: number) => {
      for (const [k, v] of Object.entries<any>(e.payload?.payload?.data ?? {})) if (/(request|Request)Id$/.test(k) && typeof v === 'string') locs.push(`${aa('components', 'messages', 'Notification', 'examples', i, 'payload', 'payload', 'data', k)} (${JSON.stringify(v)})`);
    });
    const intPaths = c.catalogue.operations.flatMap((o) => o.params.filter((p) => p.in === 'path' && p.schema.type === 'integer').map((p) => `${o.cite}/parameters (${o.key} ${p.name}: integer)`));
    return locs.length ? { id: 'ID-TYPE-MISMATCH', severity: 'warning', title: 'request ids are integers in paths and int64 in protos, but strings in the AsyncAPI examples', locations: [...locs, ...intPaths] } : null;
  },

  (c) => {
    const used = new Set<string>();
    walkProtoTypes(c.bundle.protoRoot, (t) => t.fieldsArray.forEach((f) => { f.resolve(); if (f.resolvedType) used.add(f.resolvedType.fullName); }));
    for (const r of c.catalogue.rpcs) { used.add(`.${r.requestType}`); used.add(`.${r.responseType}`); }
    const unused = c.catalogue.protoMessages.filter((m) => !used.has(`.${m}`));
    return unused.length ? { id: 'UNUSED-PROTO-MESSAGES', severity: 'info', title: `${unused.length} proto messages are used by no rpc or field`, locations: unused } : null;
  },

  (_c, ctx) => {
    const locs = protoGrep(ctx, /^\s*optional\s+[A-Z][\w.]*\s+\w+\s*=/).concat(protoGrep(ctx, /^\s*optional\s+\w+\.\w+[\w.]*\s+\w+\s*=/));
    return locs.length ? { id: 'OPTIONAL-MESSAGE-FIELD', severity: 'info', title: "proto3 'optional' on message-typed fields (already nullable)", locations: [...new Set(locs)] } : null;
  },

  (c) => {
    const examples = new Set((c.bundle.asyncapi.components?.messages?.Notification?.examples ?? []).map((e: Json) => e.payload?.payload?.notificationType));
    const bare = c.catalogue.notificationTypes.filter((t) => !examples.has(t));
    return { id: 'NOTIFICATION-DATA-UNTYPED', severity: 'warning', title: `${bare.length} of ${c.catalogue.notificationTypes.length} notification types have no data shape (data is a free object; only examples hint)`, locations: [`${ASYNCAPI_FILE}#${NOTIFICATION_ENUM_POINTER}`, aa('components', 'messages', 'Notification', 'payload', 'properties', 'payload', 'properties', 'data')] };
  },

  (c) => {
    const sub = c.catalogue.wsMessages.filter((m) => m.direction === 'subscribe').map((m) => m.name);
    return sub.some((n) => /error|nack|fail/i.test(n)) ? null : { id: 'WS-NO-ERROR-FRAME', severity: 'warning', title: `the server can answer only ${sub.join(', ')}: no error/nack frame for a rejected message.send`, locations: [aa('channels', c.catalogue.wsChannel, 'subscribe', 'message', 'oneOf')] };
  },

  (_c, ctx) => {
    const byShort = new Map<string, string[]>();
    for (const name of Object.keys(ctx.schemas)) byShort.set(shortName(name), [...(byShort.get(shortName(name)) ?? []), name]);
    const dup = [...byShort.values()].filter((v) => v.length > 1).filter((names) => {
      const keys = names.map((n) => Object.keys(ctx.schemas[n]!.properties ?? {}).sort().join(','));
      return new Set(keys).size > 1;
    });
    return dup.map((names) => ({ id: 'SAME-NAME-DIFFERENT-SHAPE', severity: 'warning' as const, title: `schemas named ${shortName(names[0]!)} have different fields: ${names.map((n) => `${n} {${Object.keys(ctx.schemas[n]!.properties ?? {}).join(', ')}}`).join(' vs ')}`, locations: names.map((n) => schemaLoc(n)) }));
  },

  (c) => {
    const locs: string[] = [];
    for (const o of c.catalogue.operations) {
      const q = o.params.filter((p) => p.in === 'query').map((p) => p.name);
      const body = o.requestBody?.schemaName ? c.bundle.openapi.components.schemas[o.requestBody.schemaName] : undefined;
      const b = Object.keys(body?.properties ?? {});
      const overlap = q.filter((n) => b.some((bn) => bn.toLowerCase().includes(n.toLowerCase())));
      if (overlap.length) locs.push(`${o.cite} (${o.key}: query ${overlap.join(', ')} vs body ${b.filter((bn) => overlap.some((n) => bn.toLowerCase().includes(n.toLowerCase()))).join(', ')})`);
    }
    return locs.length ? { id: 'QUERY-BODY-OVERLAP', severity: 'warning', title: 'the same setting can be given in the query and in the body, with no stated precedence', locations: locs } : null;
  },

  (c, ctx) => {
    const locs: string[] = [];
    eachSchemaProperty(ctx, (s, p, d) => {
      if (/(Type|type)$/.test(p) && d.type === 'string' && !d.enum) {
        const protoEnum = c.catalogue.protoEnums.find((e) => e.toLowerCase().endsWith(p.toLowerCase()));
        if (protoEnum) locs.push(`${schemaLoc(s, 'properties', p)} (string) vs proto enum ${protoEnum}`);
      }
    });
    return locs.length ? { id: 'ENUM-STRING-VS-INT', severity: 'warning', title: 'REST strings for values the protos model as integer enums', locations: locs } : null;
  },

  (c, ctx) => {
    const enums: string[] = [];
    eachSchemaProperty(ctx, (s, p, d) => {
      if (!Array.isArray(d.enum)) return;
      const comment = protoGrep(ctx, new RegExp(`\\b${p.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)}\\b.*//.*[A-Z][a-z]+/[A-Z]`));
      if (comment.length && d.enum.every((v: unknown) => typeof v === 'string' && v === v.toLowerCase())) enums.push(`${schemaLoc(s, 'properties', p, 'enum')} ${JSON.stringify(d.enum)} vs ${comment.join(', ')}`);
    });
    void c;
    return enums.length ? { id: 'ENUM-CASE', severity: 'warning', title: 'lower-case OpenAPI enums where the proto comments use capitalised values (e.g. iOS/Android/Web)', locations: enums } : null;
  },

  (c, ctx) => {
    // List responses: the array key and the paging fields differ per endpoint.
    const shapes: string[] = [];
    for (const [n, s] of Object.entries(ctx.schemas)) {
      const arrays = Object.entries<Json>(s.properties ?? {}).filter(([, d]) => d.type === 'array').map(([k]) => k);
      if (arrays.length && /List|Result|Response$/.test(n) && 'total' in (s.properties ?? {})) shapes.push(`${schemaLoc(n)} {${Object.keys(s.properties).join(', ')}}`);
    }
    void c;
    return shapes.length > 1 ? { id: 'PAGINATION-SHAPES', severity: 'info', title: `${shapes.length} list responses use ${shapes.length} different paging shapes (no common {page, pageSize, total, list})`, locations: shapes } : null;
  },

  (c) => {
    const op = c.catalogue.operationsByKey.get('GET /groups');
    const rpc = c.catalogue.rpcs.find((r) => r.name === 'GetUserGroups');
    if (!op?.dataSchemaName || !rpc) return null;
    const listSchema = c.bundle.openapi.components.schemas[op.dataSchemaName];
    const itemRef = String(listSchema?.properties?.groups?.items?.$ref ?? '');
    const protoItem = c.bundle.protoRoot.lookupType(rpc.responseType).fields.groups?.resolve().resolvedType?.name;
    return itemRef && protoItem && shortName(itemRef) !== protoItem
      ? { id: 'REST-PROTO-ITEM-MISMATCH', severity: 'warning', title: `GET /groups items are ${shortName(itemRef)} but ${rpc.cite} returns ${protoItem}`, locations: [schemaLoc(op.dataSchemaName, 'properties', 'groups'), rpc.cite] }
      : null;
  },

  (c) => {
    const names = new Set(c.catalogue.rpcs.map((r) => r.name.toLowerCase()));
    const admin = c.catalogue.operations.filter((o: RestOperation) => o.area === 'admin');
    const noRpc = admin.filter((o) => !/stats|ban/.test(o.path));
    void names;
    return { id: 'ADMIN-WITHOUT-PROTO', severity: 'info', title: `${noRpc.length} of ${admin.length} admin operations have no AdminService rpc`, locations: noRpc.map((o) => `${o.cite} (${o.key})`) };
  },
];

/** Machine-detected defects of the contract and inconsistencies between its files, each with its locations. */
export function lintContracts(c: Contracts): LintFinding[] {
  const protoDir = join(c.bundle.location.dir, 'proto');
  const ctx: LintContext = {
    schemas: c.bundle.openapi.components?.schemas ?? {},
    protoLines: Object.fromEntries(c.bundle.protoFiles.map((f) => [f, readFileSync(join(protoDir, f), 'utf8').split('\n')])),
  };
  const out: LintFinding[] = [];
  for (const rule of rules) {
    const r = rule(c, ctx);
    for (const f of Array.isArray(r) ? r : r ? [r] : []) if (f.locations.length > 0) out.push(f);
  }
  return out;
}
