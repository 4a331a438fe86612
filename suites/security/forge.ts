import { createHmac, randomBytes } from 'node:crypto';

/**
 * Forged variants of a real JWT, built piece by piece (base64url header.payload.signature), for SEC.3–SEC.5.
 * Each keeps the real token's claims so the only defect is the one under test.
 */

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
}

export function decodeJwt(token: string): JwtParts | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    return { header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')), payload: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')), signature: parts[2]! };
  } catch {
    return null;
  }
}

function sign(header: Record<string, unknown>, payload: Record<string, unknown>, key: string | Buffer): string {
  const head = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/** Same header and claims, signed with a key the server does not know. */
export function badSignature(token: string): string {
  const [h, p] = token.split('.');
  return `${h}.${p}.${createHmac('sha256', randomBytes(32)).update(`${h}.${p}`).digest('base64url')}`;
}

/** Header {alg: "none"}, same claims, empty signature. */
export function algNone(token: string): string {
  const jwt = decodeJwt(token);
  const payload = token.split('.')[1] ?? '';
  return `${b64(JSON.stringify({ ...(jwt?.header ?? {}), alg: 'none', typ: 'JWT' }))}.${payload}.`;
}

/**
 * The same claims with exp an hour in the past, correctly signed with `secret` (HS256). Without the deployment's
 * signing key an expired token can only be obtained by waiting, so callers skip when no secret is configured.
 */
export function expiredWith(token: string, secret: string): string | null {
  const jwt = decodeJwt(token);
  if (!jwt) return null;
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...jwt.header, alg: 'HS256' }, { ...jwt.payload, iat: now - 7200, exp: now - 3600 }, secret);
}

/** Seconds until the token's exp claim (null when it has none). */
export function secondsLeft(token: string): number | null {
  const exp = decodeJwt(token)?.payload.exp;
  return typeof exp === 'number' ? exp - Math.floor(Date.now() / 1000) : null;
}
