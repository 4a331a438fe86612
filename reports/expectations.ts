import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SetupError } from '../contracts/errors.js';

/**
 * wpt-style expectations: checks known to fail on a deployment, each with a reason. An expected failure is reported
 * as such and does not fail the run; an expected failure that now passes is flagged as an unexpected pass.
 */
export interface Expectations {
  file: string;
  reasons: Map<string, string>;
}

/** Load `[{id, reason}]` (or `{expectations: [...]}`) from a JSON or YAML file; every problem is a SetupError. */
export function loadExpectations(path: string): Expectations {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SetupError(`cannot read expectations file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    throw new SetupError(`expectations file ${file} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { expectations?: unknown } | null)?.expectations;
  if (!Array.isArray(list)) throw new SetupError(`expectations file ${file}: expected a list of {id, reason}`);
  const reasons = new Map<string, string>();
  list.forEach((entry, i) => {
    const e = entry as { id?: unknown; reason?: unknown } | null;
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || e.id.trim() === '') {
      throw new SetupError(`expectations file ${file}: entry ${i} has no string "id"`);
    }
    if (typeof e.reason !== 'string' || e.reason.trim() === '') {
      throw new SetupError(`expectations file ${file}: entry ${i} (${e.id}) has no "reason"`);
    }
    if (reasons.has(e.id)) throw new SetupError(`expectations file ${file}: ${e.id} is listed twice`);
    reasons.set(e.id.trim(), e.reason.trim());
  });
  return { file, reasons };
}
