import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims of the reference server's JWTs (HS256). `sid` names the device login session that revocation acts on. */
export interface TokenClaims {
  sub: string; // user id (or admin id for admin tokens)
  sid: string; // auth session id (one per login on a device)
  deviceId: string;
  deviceType: string;
  typ: 'access' | 'refresh' | 'admin';
  jti: string;
  iat: number;
  exp: number;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function signJwt(claims: TokenClaims, secret: string): string {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export type VerifyFailure = 'malformed' | 'alg' | 'signature' | 'expired';

export interface VerifyOptions {
  /** Fault hooks: accept `alg: none`, accept expired tokens. */
  allowAlgNone?: boolean;
  allowExpired?: boolean;
  nowSec?: number;
}

/** Verify an HS256 JWT; returns the claims or the reason it is rejected. */
export function verifyJwt(token: string, secret: string, opts: VerifyOptions = {}): TokenClaims | VerifyFailure {
  const parts = token.split('.');
  if (parts.length !== 3) return 'malformed';
  let header: any;
  let claims: any;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (!claims || typeof claims !== 'object' || typeof claims.sub !== 'string') return 'malformed';
  if (header?.alg === 'none' && opts.allowAlgNone) {
    // fault: unsigned tokens pass
  } else {
    if (header?.alg !== 'HS256') return 'alg';
    const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature';
  }
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || (claims.exp <= now && !opts.allowExpired)) return 'expired';
  return claims as TokenClaims;
}
