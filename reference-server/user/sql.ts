import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';

/** Prepare each SQL text once per database (the auth check runs these on every request). */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) cache.set(sql, (st = db.prepare(sql)));
    return st;
  };
}
