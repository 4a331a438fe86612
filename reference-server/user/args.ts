import { badRequest, type ErrorArea } from '../errors.js';

/**
 * A required string field of a gRPC request (proto3 has no required: an unset string arrives as ''). Throws 400
 * (INVALID_ARGUMENT) naming the proto field.
 */
export function requiredString(value: unknown, field: string, area: ErrorArea): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(area, `field '${field}' is required`, field);
  return value;
}

/** A proto3 `optional` field: present only when set (proto-loader leaves unset optionals undefined). */
export function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
