import type { Annotation } from './raw.js';

/**
 * Why a check did not run to a verdict, read from the wire format of fixtures/prereq.ts and the suites:
 * - blocked: a prerequisite another check owns is broken (annotation `blocked-by` = owner id, skip reason `blocked: … — see OWNER`);
 * - not-applicable: the behaviour does not apply to this target or configuration (skip reason `not applicable: …`);
 * - skipped: anything else (not selected, no gRPC address, …).
 * Shared by the report model and the progress reporter so both name the outcome alike.
 */
export const BLOCKED_PREFIX = 'blocked: ';
export const BLOCKED_ANNOTATION = 'blocked-by';
export const NOT_APPLICABLE_PREFIX = 'not applicable: ';

export type SkipKind = 'blocked' | 'not-applicable' | 'skipped';

export interface SkipInfo {
  kind: SkipKind;
  reason: string;
  /** The owner check id of a blocked check (from the annotation, else from the reason's "— see OWNER"). */
  owner?: string;
}

/** The skip reason among annotations (`skip` / `fixme`), or null when there is none. */
export function skipReasonIn(annotations: readonly Annotation[]): string | null {
  const s = annotations.find((x) => x.type === 'skip' || x.type === 'fixme');
  return s ? s.description || `${s.type} without a reason` : null;
}

export function classifySkip(reason: string, annotations: readonly Annotation[] = []): SkipInfo {
  const byAnnotation = annotations.find((a) => a.type === BLOCKED_ANNOTATION && a.description)?.description;
  if (reason.startsWith(BLOCKED_PREFIX) || byAnnotation) {
    const owner = byAnnotation ?? /— see (\S+)\s*$/.exec(reason)?.[1];
    return { kind: 'blocked', reason, ...(owner ? { owner } : {}) };
  }
  if (reason.startsWith(NOT_APPLICABLE_PREFIX)) return { kind: 'not-applicable', reason };
  return { kind: 'skipped', reason };
}
