import { validate } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from './bundle.js';
import { OPENAPI_FILE } from './catalogue.js';
import type { LintFinding } from './lint.js';

/**
 * The OpenAPI document checked by an independent validator (@readme/openapi-parser, the OpenAPI 3.0 schema):
 * the file as written (expected to fail only on the `/ws` responses the loader patches) and the patched document
 * the harness actually uses (expected to pass). Async, so it runs in `contracts lint`, not in every load.
 */
export async function openApiSchemaFindings(bundle: Bundle): Promise<LintFinding[]> {
  const findings: LintFinding[] = [];
  const raw = JSON.parse(readFileSync(join(bundle.location.dir, OPENAPI_FILE), 'utf8'));
  const asWritten = await validate(raw);
  if (!asWritten.valid) {
    for (const e of asWritten.errors) {
      const [first, ...rest] = e.message.split('\n').filter((l) => l.trim() !== '');
      findings.push({ id: 'OAS-SCHEMA', severity: 'error', title: `the OpenAPI file as written is not valid OpenAPI 3.0: ${first}`, locations: [OPENAPI_FILE], detail: rest.join('\n') });
    }
  }
  const patched = await validate(structuredClone(bundle.openapi) as any);
  if (!patched.valid) {
    findings.push({ id: 'OAS-SCHEMA-PATCHED', severity: 'error', title: `the patched OpenAPI document is still invalid: ${patched.errors[0]?.message.split('\n')[0]}`, locations: [OPENAPI_FILE] });
  }
  return findings;
}
