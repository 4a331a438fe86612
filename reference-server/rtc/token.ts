import { createHmac } from 'node:crypto';

/** Lifetime of an RTC room token. */
export const RTC_TOKEN_TTL_SEC = 2 * 3600;

/** Grants of a LiveKit-style access token. */
export interface RtcTokenClaims {
  iss: 'anychat-reference';
  sub: string;
  name: string;
  video: { room: string; roomJoin: true };
  iat: number;
  nbf: number;
  exp: number;
}

/**
 * A LiveKit-style room access token: an HS256 JWT with {iss, sub, name, video: {room, roomJoin}, exp}.
 * Signed with a key derived from the server secret, so an RTC token can never pass as an API access token.
 */
export function signRtcToken(jwtSecret: string, userId: string, name: string, room: string, nowSec: number): string {
  const claims: RtcTokenClaims = {
    iss: 'anychat-reference',
    sub: userId,
    name,
    video: { room, roomJoin: true },
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + RTC_TOKEN_TTL_SEC,
  };
  const b64 = (v: string) => Buffer.from(v).toString('base64url');
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify(claims));
  const sig = createHmac('sha256', rtcSigningKey(jwtSecret)).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function rtcSigningKey(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('anychat-reference/rtc-token').digest('hex');
}
