/** JSON Pointer helpers (RFC 6901) for citing locations inside the contract files. */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => '/' + escapeSegment(String(s))).join('');
}

export function resolvePointer(doc: unknown, ptr: string): unknown {
  if (ptr === '' || ptr === '#') return doc;
  const parts = ptr.replace(/^#/, '').split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: any = doc;
  for (const p of parts) {
    if (cur == null) return undefined;
    cur = cur[p];
  }
  return cur;
}
