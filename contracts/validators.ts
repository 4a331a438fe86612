import protobuf from 'protobufjs';
import type { Bundle, Json } from './bundle.js';
import { createAjv, type AjvInstance, type ErrorObject } from './ajv.js';
import { ASYNCAPI_FILE, OPENAPI_FILE, type Catalogue, type RestOperation } from './catalogue.js';
import { escapeSegment, pointer, resolvePointer } from './pointer.js';

/** One contract violation: where in the value, what is wrong, and which contract location says so. */
export interface Issue {
  /** Location inside the validated value, e.g. '/data/accessToken' ('' = the value itself). */
  at: string;
  message: string;
  /** Citation of the schema that was violated: file#pointer. */
  cite: string;
}

export type Validate = (value: unknown) => Issue[];

export const ENVELOPE_SCHEMA = 'github_com_anychat_server_pkg_response.Response';
export const ENVELOPE_CITE = `${OPENAPI_FILE}#${pointer('components', 'schemas', ENVELOPE_SCHEMA)}`;

function encodeRef(file: string, ptr: string): string {
  return `${file}#${ptr.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The pointer of the schema that governs `instancePath`, found by walking from `ptr` through $ref, allOf,
 * properties and items — so a citation names the component field (…/AuthResponse/properties/accessToken).
 */
function locateSchema(doc: Json, ptr: string, instancePath: string): string {
  let cur = ptr;
  const follow = () => {
    for (let i = 0; i < 10; i++) {
      const s = resolvePointer(doc, cur) as Json | undefined;
      if (typeof s?.$ref === 'string' && s.$ref.startsWith('#/')) cur = s.$ref.slice(1);
      else return s;
    }
    return undefined;
  };
  for (const seg of instancePath.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    const s = follow();
    if (!s) break;
    // Later allOf branches refine earlier ones (R, then {data: $ref X}): try them first.
    const branches: Array<[string, Json]> = [[cur, s], ...((s.allOf ?? []) as Json[]).map((b, i): [string, Json] => [`${cur}/allOf/${i}`, b]).reverse()];
    let next: string | undefined;
    for (const [bp, b] of branches) {
      let target = b;
      let tp = bp;
      if (typeof b.$ref === 'string') { tp = b.$ref.slice(1); target = resolvePointer(doc, tp) as Json; }
      if (/^\d+$/.test(seg) && target?.items) { next = `${tp}/items`; break; }
      if (target?.properties && seg in target.properties) { next = `${tp}/properties/${escapeSegment(seg)}`; break; }
    }
    if (!next) break;
    cur = next;
  }
  follow();
  return cur;
}

function toIssues(errors: ErrorObject[] | null | undefined, file: string, doc: Json, basePtr: string): Issue[] {
  return (errors ?? [])
    .filter((e) => e.keyword !== 'allOf' && e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map((e) => {
      const extra =
        e.keyword === 'required' ? ` (field '${(e.params as any).missingProperty}')`
        : e.keyword === 'enum' ? `: ${JSON.stringify((e.params as any).allowedValues)}`
        : e.keyword === 'additionalProperties' ? ` ('${(e.params as any).additionalProperty}')`
        : e.keyword === 'const' ? `: ${JSON.stringify((e.params as any).allowedValue)}`
        : '';
      return { at: e.instancePath, message: `${e.instancePath || '(root)'} ${e.message}${extra}`, cite: `${file}#${locateSchema(doc, basePtr, e.instancePath)}` };
    });
}

/**
 * Validators compiled once from the contract files: REST request/response bodies (OpenAPI 3.0 semantics),
 * WS frames (AsyncAPI payload schemas) and proto messages (protobufjs reflection).
 */
export class ContractValidators {
  private ajv: AjvInstance | undefined;
  private readonly cache = new Map<string, Validate>();

  constructor(private readonly bundle: Bundle, private readonly catalogue: Catalogue) {}

  /** Set up on the first validator asked for: adding the two documents costs time that `contracts show` never needs. */
  private schemas(): AjvInstance {
    if (!this.ajv) {
      this.ajv = createAjv();
      this.ajv.addSchema(this.bundle.openapi, OPENAPI_FILE);
      this.ajv.addSchema(this.bundle.asyncapi, ASYNCAPI_FILE);
    }
    return this.ajv;
  }

  private compile(key: string, file: string, ptr: string): Validate {
    let v = this.cache.get(key);
    if (!v) {
      const fn = this.schemas().compile({ $ref: encodeRef(file, ptr) });
      const doc = file === OPENAPI_FILE ? this.bundle.openapi : this.bundle.asyncapi;
      v = (value) => (fn(value) ? [] : toIssues(fn.errors, file, doc, ptr));
      this.cache.set(key, v);
    }
    return v;
  }

  private op(key: string): RestOperation {
    const op = this.catalogue.operationsByKey.get(key);
    if (!op) throw new Error(`unknown operation ${key}`);
    return op;
  }

  /** Validate a REST request body against the op's requestBody schema (an op without one accepts anything). */
  restRequest(key: string): Validate {
    const op = this.op(key);
    if (!op.requestBody) return () => [];
    const ptr = op.requestBody.schemaName
      ? pointer('components', 'schemas', op.requestBody.schemaName)
      : `${op.pointer}${pointer('requestBody', 'content', 'application/json', 'schema')}`;
    return this.compile(`req ${key}`, OPENAPI_FILE, ptr);
  }

  /** Validate a response body against the schema declared for that status (falls back to the envelope schema). */
  restResponse(key: string, status: number): Validate {
    const op = this.op(key);
    const declared = op.statuses.includes(status) && status !== 101;
    const ptr = declared
      ? `${op.pointer}${pointer('responses', String(status), 'content', 'application/json', 'schema')}`
      : pointer('components', 'schemas', ENVELOPE_SCHEMA);
    return this.compile(`res ${key} ${declared ? status : 'R'}`, OPENAPI_FILE, ptr);
  }

  /** Validate a value against a named component schema (e.g. a typed `data` alone). */
  component(name: string): Validate {
    return this.compile(`cmp ${name}`, OPENAPI_FILE, pointer('components', 'schemas', name));
  }

  /** Validate a WS frame against the AsyncAPI message its `type` names, among those allowed in that direction. */
  wsFrame(direction: 'publish' | 'subscribe'): (frame: unknown) => { message?: string; issues: Issue[] } {
    const allowed = this.catalogue.wsMessages.filter((m) => m.direction === direction);
    const opPtr = pointer('channels', this.catalogue.wsChannel, direction, 'message');
    return (frame) => {
      const type = (frame as Json | null)?.type;
      const msg = allowed.find((m) => m.name === type);
      if (!msg) {
        return {
          issues: [{ at: '/type', message: `/type must be one of ${JSON.stringify(allowed.map((m) => m.name))} (found ${JSON.stringify(type)})`, cite: `${ASYNCAPI_FILE}#${opPtr}` }],
        };
      }
      const issues = this.compile(`ws ${msg.component}`, ASYNCAPI_FILE, `${msg.pointer}/payload`)(frame);
      return { message: msg.name, issues };
    };
  }

  /** The proto message type by fully-qualified name ('anychat.auth.LoginRequest'). */
  protoType(name: string): protobuf.Type {
    return this.bundle.protoRoot.lookupType(name);
  }

  /** Check a plain object (proto field names) encodes as the proto type; returns issues citing the type. */
  protoMessage(name: string): Validate {
    const type = this.protoType(name);
    return (value) => {
      const err = type.verify(value as Json);
      return err ? [{ at: '', message: err, cite: name }] : [];
    };
  }
}
