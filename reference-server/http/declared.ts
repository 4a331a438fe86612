import type { RestOperation } from '../../contracts/index.js';
import { AppError } from '../errors.js';

/**
 * Domain errors carry the natural status (404 unknown id, 403 not allowed, 409 duplicate…), but a REST answer must use a
 * status the operation declares (contract-notes §6 "fail-envelope": declared status in strict mode). Closest declared
 * status first; when the op declares none of them, HTTP 200 with the non-zero envelope code — the only failure form that
 * is both declared and accepted in lenient mode (I7). The envelope code keeps the domain meaning (e.g. 40404).
 */
const CLOSEST: Record<number, number[]> = {
  400: [400],
  403: [403, 404, 400],
  404: [404, 400, 403],
  409: [409, 400],
};

export function toDeclared(op: RestOperation, err: AppError): AppError {
  if (err.status === 401 || err.status === 500 || op.statuses.includes(err.status)) return err;
  const status = (CLOSEST[err.status] ?? []).find((s) => op.statuses.includes(s)) ?? 200;
  // 200 is outside AppError's status union on purpose: only this remapping may produce an HTTP-200 failure envelope.
  return new AppError(status as AppError['status'], err.code, err.message, err.field);
}
