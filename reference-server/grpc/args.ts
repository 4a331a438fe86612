import { badRequest, type ErrorArea } from '../errors.js';

/**
 * A required string field of a gRPC request. proto3 cannot tell absent from empty, so an empty string is "missing":
 * 400 → INVALID_ARGUMENT naming the proto field.
 */
export function requiredString(req: Record<string, unknown>, field: string, area: ErrorArea): string {
  const v = req?.[field];
  if (typeof v !== 'string' || v.trim() === '') throw badRequest(area, `invalid field '${field}': required`, field);
  return v;
}

/** A proto3 `optional` field: set only when present on the decoded request (proto-loader leaves unset optionals undefined). */
export function optional<T>(req: Record<string, unknown>, field: string): T | undefined {
  const v = req?.[field];
  return v === undefined || v === null ? undefined : (v as T);
}

export function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
