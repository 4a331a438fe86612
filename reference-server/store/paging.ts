/**
 * The SQL OFFSET of a page. Page numbers come straight from the client and may be as large as int64 allows: a product
 * beyond 2^53 is no longer an exact integer and SQLite rejects it, so such a page is simply past the last row.
 */
export function pageOffset(page: number, pageSize: number): number {
  const offset = (page - 1) * pageSize;
  return Number.isSafeInteger(offset) ? offset : Number.MAX_SAFE_INTEGER;
}
