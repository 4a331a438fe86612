import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createAjv, type AjvInstance } from './ajv.js';

type Validate = ((doc: unknown) => boolean) & { errors?: any[] | null };
let validate: Validate | undefined;

/**
 * The validator ajv generated from the same schema at build time (scripts/build-assets.js writes it next to the compiled
 * module): compiling the 2.6 schema costs most of a contract load, in the CLI and in every Playwright worker.
 */
const PREBUILT = fileURLToPath(new URL('./asyncapi-2.6.0.validate.cjs', import.meta.url));

/** The official AsyncAPI 2.6.0 JSON schema, compiled by `ajv`. */
function compile(ajv: AjvInstance): Validate {
  // Every AsyncAPI version's schema in one big module: loaded only when compiling.
  const specs = createRequire(import.meta.url)('@asyncapi/specs') as { schemas: Record<string, any> };
  const schema = { ...specs.schemas['2.6.0'] };
  delete schema.$schema;
  // The 2.6 schema embeds its sub-schemas under `definitions`, keyed by their $id; register them so $refs resolve.
  for (const [id, def] of Object.entries<any>(schema.definitions ?? {})) {
    if (!ajv.getSchema(id)) ajv.addSchema({ ...def, $schema: undefined }, id);
  }
  return ajv.compile({ ...schema, definitions: undefined });
}

/** The standalone (CommonJS) source of that validator, for the build to write as PREBUILT. */
export async function asyncApiValidatorSource(): Promise<string> {
  const standalone = await import('ajv/dist/standalone/index.js');
  const ajv = createAjv({ code: { source: true } });
  return ((standalone as any).default.default ?? (standalone as any).default)(ajv, compile(ajv));
}

/** Validate a parsed AsyncAPI document against the official AsyncAPI 2.6.0 JSON schema; returns readable errors. */
export function validateAsyncApiDocument(doc: unknown): string[] {
  if (!doc || typeof doc !== 'object' || (doc as any).asyncapi !== '2.6.0') {
    return [`asyncapi must be "2.6.0" (found ${JSON.stringify((doc as any)?.asyncapi)})`];
  }
  validate ??= existsSync(PREBUILT) ? (createRequire(import.meta.url)(PREBUILT).default as Validate) : compile(createAjv());
  if (validate(doc)) return [];
  return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
