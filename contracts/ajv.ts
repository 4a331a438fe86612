import AjvModule from 'ajv';
import type { ErrorObject, Options } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv and ajv-formats are CommonJS; under NodeNext their default export sits on .default at run time.
const Ajv = ((AjvModule as any).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((formatsModule as any).default ?? formatsModule) as typeof formatsModule.default;

export type AjvInstance = InstanceType<typeof Ajv>;
export type { ErrorObject };

/** An ajv set up for OpenAPI 3.0 / AsyncAPI 2.6 schemas: unknown keywords (example, description…) ignored. */
export function createAjv(extra: Options = {}): AjvInstance {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, ...extra });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) ajv.addFormat(f, true);
  return ajv;
}
