/**
 * The rule catalogue of `contracts diff`: every change the engine reports carries one of these ids. Each rule has a
 * stable id, a category, one canonical message, and says whether the change breaks existing clients (a client written
 * against OLD talking to a server that implements NEW) and existing servers (a server implementing OLD checked against
 * NEW, i.e. facing clients written against NEW).
 *
 * Categories — REST / WS: operation, parameter, request, response, security, status, message, notification, payload,
 * casing. gRPC, after `buf breaking` (each rule sits in the least strict category that reports it; FILE ⊃ PACKAGE ⊃
 * WIRE_JSON ⊃ WIRE): WIRE (the binary encoding breaks), WIRE_JSON (proto-JSON breaks, the binary does not),
 * PACKAGE (generated code / gRPC method paths break), FILE (source-level only). cross: one concept across protocols.
 */
export type Protocol = 'rest' | 'ws' | 'grpc' | 'cross';

export interface Rule {
  id: string;
  protocol: Protocol;
  category: string;
  /** Breaks an existing client (written against OLD) when the server moves to NEW. */
  client: boolean;
  /** Breaks an existing server (implementing OLD) when clients move to NEW. */
  server: boolean;
  message: string;
}

const r = (id: string, category: string, client: boolean, server: boolean, message: string): Rule => ({
  id,
  protocol: id.split('.')[0] as Protocol,
  category,
  client,
  server,
  message,
});

/**
 * Schema rules, one set per context: what a client sends (REST request body, WS publish payload) and what a server
 * sends (REST response, WS subscribe payload). Direction decides who breaks.
 */
function schemaRules(prefix: string, category: string, sent: 'by-client' | 'by-server'): Rule[] {
  const c = sent === 'by-client';
  return [
    r(`${prefix}.property-added-required`, category, c, true, 'a required property was added'),
    r(`${prefix}.property-added-optional`, category, false, c, 'an optional property was added'),
    r(`${prefix}.property-removed`, category, !c, c, 'a property was removed'),
    r(`${prefix}.property-became-required`, category, c, !c, 'a property became required'),
    r(`${prefix}.property-became-optional`, category, !c, c, 'a property became optional'),
    r(`${prefix}.type-changed`, category, true, true, 'the type changed'),
    r(`${prefix}.format-changed`, category, true, true, 'the format changed'),
    r(`${prefix}.enum-value-added`, category, !c, c, 'enum values were added'),
    r(`${prefix}.enum-value-removed`, category, c, !c, 'enum values were removed'),
  ];
}

export const RULES: readonly Rule[] = [
  // REST
  r('rest.operation.added', 'operation', false, true, 'operation added'),
  r('rest.operation.removed', 'operation', true, false, 'operation removed'),
  r('rest.operation.renamed', 'operation', true, true, 'operation moved to another path (same shape)'),
  r('rest.security.added', 'security', true, false, 'operation now requires authentication'),
  r('rest.security.removed', 'security', false, true, 'operation no longer requires authentication'),
  r('rest.status.success-removed', 'status', true, false, 'a success status was removed'),
  r('rest.status.added', 'status', false, false, 'a response status was added'),
  r('rest.status.removed', 'status', false, false, 'an error status was removed'),
  r('rest.parameter.added-required', 'parameter', true, true, 'a required parameter was added'),
  r('rest.parameter.added-optional', 'parameter', false, true, 'an optional parameter was added'),
  r('rest.parameter.removed', 'parameter', false, true, 'a parameter was removed'),
  r('rest.parameter.became-required', 'parameter', true, false, 'a parameter became required'),
  r('rest.parameter.became-optional', 'parameter', false, true, 'a parameter became optional'),
  r('rest.parameter.type-changed', 'parameter', true, true, 'the parameter type changed'),
  r('rest.parameter.enum-changed', 'parameter', true, true, 'the parameter enum changed'),
  r('rest.parameter.casing-changed', 'casing', true, true, 'parameters renamed by casing only (one change per operation)'),
  r('rest.request.body-added', 'request', true, true, 'a request body was added'),
  r('rest.request.body-removed', 'request', false, true, 'the request body was removed'),
  ...schemaRules('rest.request', 'request', 'by-client'),
  ...schemaRules('rest.response', 'response', 'by-server'),
  r('rest.schema.casing-changed', 'casing', true, true, 'properties renamed by casing only (one change per schema)'),
  // WebSocket
  r('ws.message.added', 'message', false, true, 'WebSocket message added'),
  r('ws.message.removed', 'message', true, false, 'WebSocket message removed'),
  r('ws.notification.added', 'notification', false, true, 'notification type added'),
  r('ws.notification.removed', 'notification', true, false, 'notification type removed'),
  r('ws.notification.renamed', 'notification', true, true, 'notification type renamed'),
  ...schemaRules('ws.publish', 'payload', 'by-client'),
  ...schemaRules('ws.subscribe', 'payload', 'by-server'),
  r('ws.schema.casing-changed', 'casing', true, true, 'payload properties renamed by casing only (one change per schema)'),
  // gRPC / protobuf
  r('grpc.package.renamed', 'PACKAGE', true, true, 'proto package renamed'),
  r('grpc.service.added', 'PACKAGE', false, true, 'service added'),
  r('grpc.service.removed', 'PACKAGE', true, false, 'service removed'),
  r('grpc.service.renamed', 'PACKAGE', true, true, 'service renamed (same rpcs)'),
  r('grpc.rpc.added', 'PACKAGE', false, true, 'rpc added'),
  r('grpc.rpc.removed', 'PACKAGE', true, false, 'rpc removed'),
  r('grpc.rpc.renamed', 'PACKAGE', true, true, 'rpc renamed (same request and response shape)'),
  r('grpc.rpc.request-type-changed', 'WIRE', true, true, 'rpc request type changed'),
  r('grpc.rpc.response-type-changed', 'WIRE', true, true, 'rpc response type changed'),
  r('grpc.rpc.streaming-changed', 'WIRE', true, true, 'rpc streaming changed'),
  r('grpc.message.added', 'PACKAGE', false, false, 'message added'),
  r('grpc.message.removed', 'PACKAGE', true, false, 'message removed'),
  r('grpc.message.renamed', 'PACKAGE', true, true, 'message renamed (same fields)'),
  r('grpc.field.added', 'WIRE', false, false, 'field added'),
  r('grpc.field.removed', 'WIRE_JSON', true, false, 'field removed'),
  r('grpc.field.renamed', 'WIRE_JSON', true, true, 'field renamed (its JSON name changed)'),
  r('grpc.field.renamed-json-compatible', 'FILE', false, false, 'field renamed, same JSON name'),
  r('grpc.field.type-changed', 'WIRE', true, true, 'field type changed'),
  r('grpc.field.type-changed-json-only', 'WIRE_JSON', true, true, 'field type changed to a wire-compatible one (the JSON form changes)'),
  r('grpc.field.label-changed', 'WIRE', true, true, 'field label changed (repeated / optional / map)'),
  r('grpc.field.number-changed', 'WIRE', true, true, 'field number changed'),
  r('grpc.field.reserved-reused', 'WIRE', true, true, 'a reserved field number was reused'),
  r('grpc.enum.added', 'PACKAGE', false, false, 'enum added'),
  r('grpc.enum.removed', 'PACKAGE', true, false, 'enum removed'),
  r('grpc.enum.value-added', 'WIRE', false, false, 'enum value added'),
  r('grpc.enum.value-removed', 'WIRE_JSON', true, false, 'enum value removed'),
  r('grpc.enum.value-renamed', 'WIRE_JSON', true, true, 'enum value renamed (same number)'),
  r('grpc.enum.value-number-changed', 'WIRE', true, true, 'enum value number changed'),
  // one concept across protocols
  r('cross.concept-renamed', 'cross', true, true, 'one concept renamed across protocols'),
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((x) => [x.id, x]));

export function rule(id: string): Rule {
  const found = RULES_BY_ID.get(id);
  if (!found) throw new Error(`contracts diff: unknown rule ${id}`);
  return found;
}

/** One reported change: a rule, what it is about, and its locations in both versions (file#pointer or proto name). */
export interface Change {
  rule: string;
  /** What changed, human-readable: 'POST /auth/login', 'LoginRequest.device_type', 'anychat.rtc.RTCService'. */
  subject: string;
  /** Specifics: 'string → integer', 'deviceId → device_id, …'. */
  detail?: string;
  old?: string;
  new?: string;
}
