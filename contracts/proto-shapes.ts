import protobuf from 'protobufjs';
import { createAjv, type ErrorObject } from './ajv.js';
import type { Json } from './bundle.js';
import type { Contracts } from './index.js';
import type { Issue } from './validators.js';

/**
 * Shapes of the 30 REST ops whose 200 `data` is an untyped `{type: object}` (contract-notes I10): the lowerCamelCase
 * JSON form of the proto response message of the rpc each op fronts (contract-notes §3.1). Only the op → rpc pairing
 * is written here; every field, type and nesting comes from the protos by reflection.
 *
 * Lenient by design: required = the entity's own id field and repeated message fields (the lists); everything else may
 * be absent or null; extra properties are allowed (I23); int64 may be a JSON number or a numeric string (proto3 JSON);
 * enums may be the name (any case) or the number (I5); time fields may be an RFC 3339 string, or an integer in
 * seconds or milliseconds (I1) — which one is reported.
 */
export const REST_RPC: Readonly<Record<string, string>> = {
  'GET /friends': '/anychat.friend.FriendService/GetFriendList',
  'GET /friends/blacklist': '/anychat.friend.FriendService/GetBlacklist',
  'GET /friends/requests': '/anychat.friend.FriendService/GetFriendRequests',
  'POST /friends/requests': '/anychat.friend.FriendService/SendFriendRequest',
  'GET /sessions': '/anychat.session.SessionService/GetSessions',
  'GET /sessions/unread/total': '/anychat.session.SessionService/GetTotalUnread',
  'GET /sessions/{sessionId}': '/anychat.session.SessionService/GetSession',
  'POST /sync': '/anychat.sync.SyncService/Sync',
  'POST /sync/messages': '/anychat.sync.SyncService/SyncMessages',
  'GET /files': '/file.FileService/ListUserFiles',
  'POST /files/upload-token': '/file.FileService/GenerateUploadToken',
  'GET /files/{fileId}': '/file.FileService/GetFileInfo',
  'POST /files/{fileId}/complete': '/file.FileService/CompleteUpload',
  'GET /files/{fileId}/download': '/file.FileService/GenerateDownloadURL',
  'GET /rtc/calls': '/anychat.rtc.RTCService/ListCallLogs',
  'POST /rtc/calls': '/anychat.rtc.RTCService/InitiateCall',
  'GET /rtc/calls/{callId}': '/anychat.rtc.RTCService/GetCallSession',
  'POST /rtc/calls/{callId}/join': '/anychat.rtc.RTCService/JoinCall',
  'GET /rtc/meetings': '/anychat.rtc.RTCService/ListMeetings',
  'POST /rtc/meetings': '/anychat.rtc.RTCService/CreateMeeting',
  'GET /rtc/meetings/{roomId}': '/anychat.rtc.RTCService/GetMeeting',
  'POST /rtc/meetings/{roomId}/join': '/anychat.rtc.RTCService/JoinMeeting',
  'GET /admin/stats/overview': '/anychat.admin.AdminService/GetSystemStats',
};

export type TimeKind = 'rfc3339' | 'seconds' | 'milliseconds';

export interface ProtoShape {
  op: string;
  /** Fully-qualified proto message, e.g. 'anychat.session.GetSessionsResponse'. */
  message: string;
  /** 'anychat.session.SessionService/GetSessions → anychat.session.GetSessionsResponse' */
  cite: string;
  /** The generated lenient JSON schema (draft-07, definitions keyed by message name). */
  schema: Json;
  validate(data: unknown): Issue[];
  /** Keys written in snake_case where the proto JSON name is lowerCamelCase, and the time representations seen. */
  inspect(data: unknown): { snakeKeys: string[]; times: { at: string; kind: TimeKind | 'other' }[] };
}

const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const TIMESTAMP = 'google.protobuf.Timestamp';

const fq = (o: protobuf.ReflectionObject) => o.fullName.replace(/^\./, '');
export const jsonName = (field: protobuf.Field): string => protobuf.util.camelCase(field.name);

/** int64 fields that hold a time ('created_at', 'sync_time', 'timestamp' …): same leniency as Timestamp. */
function isTimeInt(field: protobuf.Field): boolean {
  return INT64.has(field.type) && /(^|_)(at|time|timestamp)$/.test(field.name);
}

function isTimestamp(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Type && fq(field.resolvedType) === TIMESTAMP;
}

/** The entity's own id: a field named `id`, or the first field when its name ends in `_id`. */
function idField(type: protobuf.Type): string | undefined {
  const first = type.fieldsArray[0];
  if (type.fields.id) return 'id';
  return first && first.name.endsWith('_id') && !first.repeated ? first.name : undefined;
}

/** 'CALL_STATUS_RINGING' may also be written 'ringing' / 'RINGING' / 'call_status_ringing' (contract-notes I5). */
export function enumSpellings(e: protobuf.Enum): string[] {
  const names = Object.keys(e.values);
  let prefix = names.length > 1 ? names[0]!.slice(0, names[0]!.lastIndexOf('_') + 1) : '';
  while (prefix && !names.every((n) => n.startsWith(prefix))) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('_') + 1);
  const short = names.map((n) => n.slice(prefix.length));
  return [...new Set([...names, ...short].flatMap((n) => [n, n.toLowerCase()]))];
}

const TIME_SCHEMA: Json = { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', minimum: 0 }] };

function fieldSchema(field: protobuf.Field, visit: (t: protobuf.Type) => void): Json {
  let s: Json;
  if (isTimestamp(field) || isTimeInt(field)) s = TIME_SCHEMA;
  else if (field.resolvedType instanceof protobuf.Enum) {
    s = { anyOf: [{ type: 'string', enum: enumSpellings(field.resolvedType) }, { type: 'integer', enum: Object.values(field.resolvedType.values) }] };
  } else if (field.resolvedType instanceof protobuf.Type) {
    visit(field.resolvedType);
    s = { $ref: `#/definitions/${fq(field.resolvedType)}` };
  } else if (field.type === 'string' || field.type === 'bytes') s = { type: 'string' };
  else if (field.type === 'bool') s = { type: 'boolean' };
  else if (INT32.has(field.type)) s = { type: 'integer' };
  else if (INT64.has(field.type)) s = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d+$' }] };
  else s = { type: 'number' };
  if (field.map) return { type: 'object', additionalProperties: s };
  if (field.repeated) return { type: 'array', items: s };
  return s;
}

function typeSchema(type: protobuf.Type, defs: Json): void {
  const name = fq(type);
  if (defs[name]) return;
  const def: Json = { type: 'object', properties: {}, required: [] as string[] };
  defs[name] = def;
  const visit = (t: protobuf.Type) => typeSchema(t, defs);
  const id = idField(type);
  for (const field of type.fieldsArray) {
    field.resolve();
    const s = fieldSchema(field, visit);
    const required = field.name === id || (field.repeated && !field.map && field.resolvedType instanceof protobuf.Type);
    def.properties[jsonName(field)] = required ? s : { anyOf: [s, { type: 'null' }] };
    if (required) def.required.push(jsonName(field));
  }
}

function classifyTime(v: unknown): TimeKind | 'other' {
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(v) ? 'rfc3339' : 'other';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v > 1e12 ? 'milliseconds' : 'seconds';
  return 'other';
}

function inspectValue(type: protobuf.Type, value: unknown, at: string, out: ReturnType<ProtoShape['inspect']>, depth = 0): void {
  if (!value || typeof value !== 'object' || Array.isArray(value) || depth > 8) return;
  const obj = value as Json;
  for (const field of type.fieldsArray) {
    const camel = jsonName(field);
    if (camel !== field.name && field.name in obj) out.snakeKeys.push(`${at}/${field.name}`);
    const v = obj[camel] ?? obj[field.name];
    if (v === undefined || v === null) continue;
    const here = `${at}/${camel}`;
    if (isTimestamp(field) || isTimeInt(field)) {
      if (!field.repeated) out.times.push({ at: here, kind: classifyTime(v) });
    } else if (field.resolvedType instanceof protobuf.Type && !field.map) {
      const items = field.repeated && Array.isArray(v) ? v : [v];
      items.forEach((item, i) => inspectValue(field.resolvedType as protobuf.Type, item, field.repeated ? `${here}/${i}` : here, out, depth + 1));
    }
  }
}

/** One issue per instance path; the branch errors of an anyOf are joined into one "must be A or B". */
function readableIssues(errors: ErrorObject[], cite: string): Issue[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const issues: Issue[] = [];
  for (const [path, errs] of byPath) {
    const at = `/data${path}`;
    const required = errs.filter((e) => e.keyword === 'required');
    for (const e of required) issues.push({ at, message: `${at} must have required property '${(e.params as any).missingProperty}'`, cite });
    const rest = errs.filter((e) => e.keyword !== 'required' && e.keyword !== 'anyOf');
    if (rest.length > 0) issues.push({ at, message: `${at} ${[...new Set(rest.map((e) => e.message))].join(' or ')}`, cite });
  }
  return issues.slice(0, 8);
}

const cache = new WeakMap<Contracts, Map<string, ProtoShape | null>>();

/** The proto-derived shape of an untyped op's `data`, or null when the op fronts no rpc (12 admin ops). */
export function protoShape(contracts: Contracts, op: string): ProtoShape | null {
  let perContract = cache.get(contracts);
  if (!perContract) cache.set(contracts, (perContract = new Map()));
  if (perContract.has(op)) return perContract.get(op)!;
  const rpcPath = REST_RPC[op];
  const rpc = rpcPath ? contracts.catalogue.rpcsByPath.get(rpcPath) : undefined;
  if (rpcPath && !rpc) throw new Error(`proto-shapes: ${op} maps to ${rpcPath}, which the protos do not declare`);
  let shape: ProtoShape | null = null;
  if (rpc) {
    const type = contracts.validators.protoType(rpc.responseType);
    const definitions: Json = {};
    typeSchema(type, definitions);
    const schema = { $ref: `#/definitions/${fq(type)}`, definitions };
    const fn = createAjv().compile(schema);
    const cite = `${rpc.cite} → ${fq(type)}`;
    shape = {
      op,
      message: fq(type),
      cite,
      schema,
      validate: (data) => (fn(data) ? [] : readableIssues(fn.errors ?? [], cite)),
      inspect: (data) => {
        const out = { snakeKeys: [] as string[], times: [] as { at: string; kind: TimeKind | 'other' }[] };
        inspectValue(type, data, '/data', out);
        return out;
      },
    };
  }
  perContract.set(op, shape);
  return shape;
}
