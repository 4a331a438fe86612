import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { SetupError } from './errors.js';
import { hashBundle, listFiles } from './digest.js';
import { locateBundle, type BundleLocation } from './locate.js';
import { validateAsyncApiDocument } from './asyncapi-schema.js';

export type Json = Record<string, any>;

/** A defect of the contract itself that the loader had to work around; listed by `contracts lint` and in reports. */
export interface ContractDefect {
  id: string;
  file: string;
  pointer: string;
  message: string;
}

/** The raw, parsed contract files with their provenance. Immutable after load. */
export interface Bundle {
  location: BundleLocation;
  /** sha256 of every file in the bundle, keyed by path relative to the bundle root. */
  hashes: Record<string, string>;
  /** A single sha256 over all file hashes (sorted), to name the bundle in one value. */
  digest: string;
  contractsCommit: string | null;
  backendVersion: string | null;
  lastSynced: string | null;
  openapi: Json;
  asyncapi: Json;
  /** protobufjs root with every proto loaded (keepCase: proto field names as written). */
  protoRoot: protobuf.Root;
  /** proto file paths relative to proto/, e.g. 'auth/auth.proto'. */
  protoFiles: string[];
  defects: ContractDefect[];
}

function readOptional(dir: string, name: string): string | null {
  const p = join(dir, name);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() || null : null;
}

/** Load, hash and parse the bundle found by locateBundle(); every problem is a SetupError naming the file. */
export function loadBundle(flag?: string, env: NodeJS.ProcessEnv = process.env): Bundle {
  const location = locateBundle(flag, env);
  const { dir } = location;
  const { hashes, digest } = hashBundle(dir);

  const defects: ContractDefect[] = [];
  const openapiPath = join(dir, 'http/openapi.json');
  let openapi: Json;
  try {
    openapi = JSON.parse(readFileSync(openapiPath, 'utf8'));
  } catch (e) {
    throw new SetupError(`contract bundle: ${openapiPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof openapi !== 'object' || !openapi || !openapi.paths || typeof openapi.openapi !== 'string' || !openapi.openapi.startsWith('3.0')) {
    throw new SetupError(`contract bundle: ${openapiPath} is not an OpenAPI 3.0 document (no "openapi: 3.0.x" or no "paths")`);
  }
  // The /ws upgrade declares `responses: {}`, invalid in OpenAPI 3.0: patch in memory, record as a defect.
  for (const [path, item] of Object.entries<Json>(openapi.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (op && typeof op === 'object' && op.responses && Object.keys(op.responses).length === 0) {
        op.responses = { '101': { description: 'Switching Protocols (patched in memory by anychat-conform)' } };
        defects.push({
          id: 'C-EMPTY-RESPONSES',
          file: 'http/openapi.json',
          pointer: `/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses`,
          message: 'responses must NOT have fewer than 1 properties; patched in memory with 101 Switching Protocols',
        });
      }
    }
  }

  const asyncapiPath = join(dir, 'websocket/asyncapi.yaml');
  let asyncapi: Json;
  try {
    asyncapi = parseYaml(readFileSync(asyncapiPath, 'utf8'));
  } catch (e) {
    throw new SetupError(`contract bundle: ${asyncapiPath} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const asyncErrors = validateAsyncApiDocument(asyncapi);
  if (asyncErrors.length > 0) {
    throw new SetupError(`contract bundle: ${asyncapiPath} is not a valid AsyncAPI 2.6 document: ${asyncErrors[0]}`);
  }

  const protoDir = join(dir, 'proto');
  const protoFiles = listFiles(protoDir)
    .filter((f) => f.endsWith('.proto'))
    .map((f) => relative(protoDir, f).split('\\').join('/'))
    .sort();
  if (protoFiles.length === 0) throw new SetupError(`contract bundle: ${protoDir} holds no .proto files`);
  const protoRoot = new protobuf.Root();
  protoRoot.resolvePath = (_origin, target) => (existsSync(join(protoDir, target)) ? join(protoDir, target) : target);
  try {
    protoRoot.loadSync(protoFiles.map((f) => join(protoDir, f)), { keepCase: true });
    protoRoot.resolveAll();
  } catch (e) {
    throw new SetupError(`contract bundle: protos under ${protoDir} do not load: ${(e as Error).message.split('\n')[0]}`);
  }

  return {
    location,
    hashes,
    digest,
    contractsCommit: readOptional(dir, '.contracts-commit'),
    backendVersion: readOptional(dir, '.backend-version'),
    lastSynced: readOptional(dir, '.last-synced'),
    openapi,
    asyncapi,
    protoRoot,
    protoFiles,
    defects,
  };
}
