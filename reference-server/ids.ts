import { randomBytes, randomUUID } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time and kept as base64url text: one randomBytes() call per id costs more than a
// message insert, and a slice of a string is cheaper than encoding bytes per id. 4095 bytes: whole 3-byte groups, so
// every id's random part (6 or 9 bytes) is a 4-character-aligned slice.
let pool = '';
let poolAt = 0;
function randomText(bytes: number): string {
  const chars = (bytes / 3) * 4;
  if (poolAt + chars > pool.length) {
    pool = randomBytes(4095).toString('base64url');
    poolAt = 0;
  }
  poolAt += chars;
  return pool.slice(poolAt - chars, poolAt);
}

/** Opaque string ids with a readable prefix: u_…, g_…, m_…, f_…, call_…, room_…. */
export function newId(prefix: string): string {
  return `${prefix}_${randomText(9)}`;
}

/**
 * Like newId, but an id made later sorts after one made earlier in the same process (base-36 ms time, a counter within
 * the millisecond, then 6 random bytes): an index over these ids grows at its end instead of at a random page per row.
 */
let sortableMs = 0;
let sortableMsText = '';
let sortableN = 0;
export function newSortableId(prefix: string): string {
  const ms = Date.now();
  if (ms !== sortableMs) {
    sortableMs = ms;
    sortableMsText = ms.toString(36);
    sortableN = 0;
  }
  return `${prefix}_${sortableMsText}${(sortableN++).toString(36).padStart(4, '0')}${randomText(6)}`;
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
