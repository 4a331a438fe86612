import protobuf from 'protobufjs';
import type { Bundle, Json } from './bundle.js';
import { pointer, resolvePointer } from './pointer.js';

export const OPENAPI_FILE = 'http/openapi.json';
export const ASYNCAPI_FILE = 'websocket/asyncapi.yaml';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
export type Area = 'auth' | 'user' | 'friend' | 'group' | 'session' | 'sync' | 'file' | 'rtc' | 'admin' | 'ws' | 'message' | 'push';

export interface RestParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Json;
}

export interface RestOperation {
  /** 'POST /auth/login' — the stable key (the contract has no operationIds). */
  key: string;
  method: HttpMethod;
  /** Path relative to the server base (/api/v1), as written in the contract: '/groups/{id}'. */
  path: string;
  area: Area;
  summary: string;
  description: string;
  /** true when the op carries `security: [{BearerAuth: []}]`. */
  secured: boolean;
  params: RestParam[];
  /** The request body schema as written (may hold $refs into #/components), when the op declares one. */
  requestBody?: { required: boolean; schema: Json; typed: boolean; schemaName?: string };
  /** typed: data has a $ref schema; object: data is {type: object}; bare: the envelope alone; none: no 200 (the /ws upgrade). */
  dataKind: 'typed' | 'object' | 'bare' | 'none';
  /** Short component name of the typed data schema, e.g. 'internal_gateway_handler.AuthResponse'. */
  dataSchemaName?: string;
  /** Declared HTTP statuses, ascending. */
  statuses: number[];
  /** Citation: file#pointer of the operation object. */
  cite: string;
  /** JSON pointer (inside the OpenAPI file) of the operation object. */
  pointer: string;
}

export interface WsMessage {
  /** name as in the contract: 'ping' | 'pong' | 'message.send' | 'message.sent' | 'notification'. */
  name: string;
  messageId: string;
  /** Component key: 'Ping', 'MessageSent', … */
  component: string;
  /** publish = client → server; subscribe = server → client. */
  direction: 'publish' | 'subscribe';
  cite: string;
  pointer: string;
}

export interface Rpc {
  /** '/anychat.auth.AuthService/Login' — the gRPC method path. */
  path: string;
  /** 'anychat.auth' (or 'file' as written). */
  package: string;
  service: string;
  /** 'anychat.auth.AuthService'. */
  fullService: string;
  name: string;
  requestType: string;
  responseType: string;
  /** Citation 'anychat.auth.AuthService/Login'. */
  cite: string;
  protoFile: string;
}

export interface Catalogue {
  operations: RestOperation[];
  operationsByKey: Map<string, RestOperation>;
  pathCount: number;
  wsChannel: string;
  wsMessages: WsMessage[];
  notificationTypes: string[];
  notificationTypesCite: string;
  services: string[];
  rpcs: Rpc[];
  rpcsByPath: Map<string, Rpc>;
  /** Fully-qualified names of every top-level proto message (google.* excluded). */
  protoMessages: string[];
  protoEnums: string[];
}

const AREA_BY_SEGMENT: Record<string, Area> = {
  auth: 'auth', users: 'user', friends: 'friend', groups: 'group', sessions: 'session', sync: 'sync',
  files: 'file', rtc: 'rtc', admin: 'admin', ws: 'ws',
};

/** The area of a path relative to the REST base ('/groups/{id}' → 'group'). */
export function areaOfPath(path: string): Area {
  return AREA_BY_SEGMENT[path.split('/')[1] ?? ''] ?? 'ws';
}

const REF_PREFIX = '#/components/schemas/';

function refName(schema: Json | undefined): string | undefined {
  return typeof schema?.$ref === 'string' && schema.$ref.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : undefined;
}

/** Classify what the 200 response says about `data`. */
function classifyData(op: Json): Pick<RestOperation, 'dataKind' | 'dataSchemaName'> {
  const schema = op.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) return { dataKind: 'none' };
  if (Array.isArray(schema.allOf)) {
    const data = schema.allOf.find((s: Json) => s?.properties?.data)?.properties?.data;
    const name = refName(data);
    if (name) return { dataKind: 'typed', dataSchemaName: name };
    if (data?.type === 'object') return { dataKind: 'object' };
  }
  return { dataKind: 'bare' };
}

function buildOperations(openapi: Json): RestOperation[] {
  const ops: RestOperation[] = [];
  for (const [path, item] of Object.entries<Json>(openapi.paths ?? {})) {
    for (const [m, op] of Object.entries<Json>(item)) {
      const method = m.toUpperCase() as HttpMethod;
      if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(method)) continue;
      const ptr = pointer('paths', path, m);
      const body = op.requestBody?.content?.['application/json']?.schema;
      const bodyName = refName(body);
      const bodyTarget = bodyName ? openapi.components?.schemas?.[bodyName] : body;
      ops.push({
        key: `${method} ${path}`,
        method,
        path,
        area: areaOfPath(path),
        summary: op.summary ?? '',
        description: op.description ?? '',
        secured: Array.isArray(op.security) && op.security.some((s: Json) => 'BearerAuth' in s),
        params: (op.parameters ?? []).map((p: Json) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema ?? {} })),
        requestBody: body
          ? { required: !!op.requestBody.required, schema: body, typed: !!bodyTarget?.properties, schemaName: bodyName }
          : undefined,
        ...classifyData(op),
        statuses: Object.keys(op.responses ?? {}).map(Number).filter((n) => Number.isFinite(n)).sort((a, b) => a - b),
        cite: `${OPENAPI_FILE}#${ptr}`,
        pointer: ptr,
      });
    }
  }
  return ops;
}

function buildWsMessages(asyncapi: Json): { channel: string; messages: WsMessage[] } {
  const [channel, item] = Object.entries<Json>(asyncapi.channels ?? {})[0] ?? ['', {}];
  const messages: WsMessage[] = [];
  for (const direction of ['publish', 'subscribe'] as const) {
    const msg = item[direction]?.message;
    const refs: Json[] = msg?.oneOf ?? (msg ? [msg] : []);
    for (const r of refs) {
      const component = String(r.$ref ?? '').split('/').pop() ?? '';
      const def = asyncapi.components?.messages?.[component] ?? {};
      const ptr = pointer('components', 'messages', component);
      messages.push({ name: def.name ?? component, messageId: def.messageId ?? component, component, direction, cite: `${ASYNCAPI_FILE}#${ptr}`, pointer: ptr });
    }
  }
  return { channel, messages };
}

export const NOTIFICATION_ENUM_POINTER = '/components/messages/Notification/payload/properties/payload/properties/notificationType/enum';

function walkNamespaces(ns: protobuf.NamespaceBase, visit: (obj: protobuf.ReflectionObject) => void): void {
  for (const child of ns.nestedArray) {
    visit(child);
    if (child instanceof protobuf.Namespace && !(child instanceof protobuf.Type) && !(child instanceof protobuf.Service)) {
      walkNamespaces(child, visit);
    }
  }
}

function fqName(obj: protobuf.ReflectionObject): string {
  return obj.fullName.replace(/^\./, '');
}

function buildProtoInventory(root: protobuf.Root): Pick<Catalogue, 'services' | 'rpcs' | 'protoMessages' | 'protoEnums'> {
  const services: string[] = [];
  const rpcs: Rpc[] = [];
  const protoMessages: string[] = [];
  const protoEnums: string[] = [];
  walkNamespaces(root, (obj) => {
    const name = fqName(obj);
    if (name.startsWith('google.')) return;
    if (obj instanceof protobuf.Service) {
      services.push(name);
      const pkg = name.slice(0, name.lastIndexOf('.'));
      for (const method of obj.methodsArray) {
        method.resolve();
        rpcs.push({
          path: `/${name}/${method.name}`,
          package: pkg,
          service: obj.name,
          fullService: name,
          name: method.name,
          requestType: fqName(method.resolvedRequestType!),
          responseType: fqName(method.resolvedResponseType!),
          cite: `${name}/${method.name}`,
          protoFile: (obj.filename ?? '').split('/proto/').pop() ?? '',
        });
      }
    } else if (obj instanceof protobuf.Type) {
      protoMessages.push(name);
    } else if (obj instanceof protobuf.Enum) {
      protoEnums.push(name);
    }
  });
  return { services, rpcs, protoMessages, protoEnums };
}

/** Build the catalogue once from a loaded bundle. */
export function buildCatalogue(bundle: Bundle): Catalogue {
  const operations = buildOperations(bundle.openapi);
  const ws = buildWsMessages(bundle.asyncapi);
  const notificationTypes = (resolvePointer(bundle.asyncapi, NOTIFICATION_ENUM_POINTER) as string[] | undefined) ?? [];
  const proto = buildProtoInventory(bundle.protoRoot);
  return {
    operations,
    operationsByKey: new Map(operations.map((o) => [o.key, o])),
    pathCount: Object.keys(bundle.openapi.paths ?? {}).length,
    wsChannel: ws.channel,
    wsMessages: ws.messages,
    notificationTypes,
    notificationTypesCite: `${ASYNCAPI_FILE}#${NOTIFICATION_ENUM_POINTER}`,
    ...proto,
    rpcsByPath: new Map(proto.rpcs.map((r) => [r.path, r])),
  };
}
