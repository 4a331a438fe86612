import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { badRequest, type ErrorArea } from '../errors.js';

/** scrypt parameters (Node's defaults: N=2^14, r=8, p=1); stored with each hash so they can change later. */
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function encode(salt: Buffer, key: Buffer, n = N, r = R, p = P): string {
  return `scrypt$${n}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Hash a password with a fresh 16-byte salt: `scrypt$N$r$p$salt$key`. Runs on the libuv pool (does not block the loop). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await scryptAsync(password, salt, N, R, P));
}

/** Synchronous variant, for one-off seeding at startup only. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return encode(salt, scryptSync(password, salt, KEYLEN, { N, r: R, p: P }));
}

/** Constant-time check of a password against a stored hash; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await scryptAsync(password, salt, n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: string | undefined;
/** A hash of a random password: login against an unknown account spends the same time as against a known one. */
export function dummyHash(): string {
  return (dummy ??= hashPasswordSync(randomBytes(12).toString('hex')));
}

/**
 * Password rule (contract-notes I18; the backend's rule, not written in the contract): 8–32 characters with at least
 * one letter and one digit. Throws 400 naming `field`.
 */
export function checkPasswordRule(password: unknown, field: string, area: ErrorArea = 'auth'): string {
  if (typeof password !== 'string' || password.length === 0) throw badRequest(area, `field '${field}' is required`, field);
  if (password.length < 8 || password.length > 32) {
    throw badRequest(area, `field '${field}' must be 8-32 characters long (got ${password.length})`, field);
  }
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    throw badRequest(area, `field '${field}' must contain at least one letter and one digit`, field);
  }
  return password;
}
