/**
 * Domain errors carry the HTTP status the contract declares and an envelope `code` in the README ranges.
 * code = range base + HTTP status, e.g. group 404 → 40404. Ranges: auth 10xxx, user 20xxx, friend 30xxx, group 40xxx,
 * message 50xxx (README); sync 11xxx, admin 12xxx, session 60xxx, file 70xxx, push 80xxx, rtc 90xxx (ours, after the backend's).
 */
export const CODE_BASE = {
  auth: 10000, user: 20000, friend: 30000, group: 40000, message: 50000,
  sync: 11000, admin: 12000, session: 60000, file: 70000, push: 80000, rtc: 90000,
} as const;
export type ErrorArea = keyof typeof CODE_BASE;

export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 500,
    readonly code: number,
    message: string,
    /** The offending request field, for validation errors. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

function make(status: AppError['status']) {
  return (area: ErrorArea, message: string, field?: string) => new AppError(status, CODE_BASE[area] + status, message, field);
}

export const badRequest = make(400);
export const unauthorized = make(401);
export const forbidden = make(403);
export const notFound = make(404);
export const conflict = make(409);
