import specsModule from '@asyncapi/specs';
import { createAjv } from './ajv.js';

const specs = ((specsModule as any).default ?? specsModule) as { schemas: Record<string, any> };

let validate: ((doc: unknown) => boolean) & { errors?: any[] | null } | undefined;

/** Validate a parsed AsyncAPI document against the official AsyncAPI 2.6.0 JSON schema; returns readable errors. */
export function validateAsyncApiDocument(doc: unknown): string[] {
  if (!doc || typeof doc !== 'object' || (doc as any).asyncapi !== '2.6.0') {
    return [`asyncapi must be "2.6.0" (found ${JSON.stringify((doc as any)?.asyncapi)})`];
  }
  if (!validate) {
    const ajv = createAjv();
    const schema = { ...specs.schemas['2.6.0'] };
    delete schema.$schema;
    // The 2.6 schema embeds its sub-schemas under `definitions`, keyed by their $id; register them so $refs resolve.
    for (const [id, def] of Object.entries<any>(schema.definitions ?? {})) {
      if (!ajv.getSchema(id)) ajv.addSchema({ ...def, $schema: undefined }, id);
    }
    validate = ajv.compile({ ...schema, definitions: undefined });
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
