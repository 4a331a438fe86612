import { fail } from '../../fixtures/failure.js';

/** One field that differs between two protocol views of the same object. */
export interface FieldDiff {
  field: string;
  views: Record<string, unknown>;
}

/**
 * Compare named views of one object (e.g. {ack, 'message.new', '/sync/messages', GetMessageById}) field by field.
 * `fields` maps a canonical field name to a getter per view; views that lack a getter are not compared on that field.
 */
export function diffViews(views: Record<string, any>, fields: Record<string, Record<string, (v: any) => unknown>>): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const [field, getters] of Object.entries(fields)) {
    const seen: Record<string, unknown> = {};
    for (const [view, get] of Object.entries(getters)) {
      if (views[view] === undefined) continue;
      seen[view] = normalise(get(views[view]));
    }
    const distinct = new Set(Object.values(seen).map((v) => JSON.stringify(v)));
    // A field no view shows proves nothing: report it rather than pass on "null everywhere".
    if (distinct.size > 1 || (Object.keys(seen).length > 1 && distinct.size === 1 && distinct.has('null'))) out.push({ field, views: seen });
  }
  return out;
}

// int64 may come back as number or numeric string depending on the protocol's JSON mapping.
function normalise(v: unknown): unknown {
  if (v === undefined) return null; // shown as null in the report instead of vanishing from the JSON
  if (typeof v === 'string' && /^\d+$/.test(v) && v.length < 16) return Number(v);
  return v;
}

/** Fail with field-level diffs when any view disagrees. */
export function expectConsistent(what: string, diffs: FieldDiff[], cite: string | string[]): void {
  if (diffs.length === 0) return;
  fail({
    message: `${what}: ${diffs.length} field(s) differ across protocols (or are absent from every view): ${diffs.map((d) => d.field).join(', ')}`,
    expected: 'the same value in every view',
    observed: Object.fromEntries(diffs.map((d) => [d.field, d.views])),
    cite: Array.isArray(cite) ? cite.join(' + ') : cite,
  });
}
