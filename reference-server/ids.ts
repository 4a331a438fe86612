import { randomBytes, randomUUID } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one randomBytes() call per id costs more than a message insert.
let pool = Buffer.alloc(0);
let poolAt = 0;

/** Opaque string ids with a readable prefix: u_…, g_…, m_…, f_…, call_…, room_…. */
export function newId(prefix: string): string {
  if (poolAt + 9 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 9;
  return `${prefix}_${pool.toString('base64url', poolAt - 9, poolAt)}`;
}

/**
 * Like newId, but an id made later sorts after one made earlier in the same process (base-36 ms time, a counter within
 * the millisecond, then 6 random bytes): an index over these ids grows at its end instead of at a random page per row.
 */
let sortableMs = 0;
let sortableN = 0;
export function newSortableId(prefix: string): string {
  const ms = Date.now();
  if (ms !== sortableMs) {
    sortableMs = ms;
    sortableN = 0;
  }
  if (poolAt + 6 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 6;
  return `${prefix}_${ms.toString(36)}${(sortableN++).toString(36).padStart(4, '0')}${pool.toString('base64url', poolAt - 6, poolAt)}`;
}

export { randomUUID };

export const nowMs = (): number => Date.now();
export const nowSec = (): number => Math.floor(Date.now() / 1000);
export const isoFromMs = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Inputs may give seconds or milliseconds (contract-notes I1): > 1e12 is taken as ms. Returns ms. */
export function toMs(t: number): number {
  return t > 1e12 ? t : t * 1000;
}

/** proto google.protobuf.Timestamp from epoch ms. */
export function timestampFromMs(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
