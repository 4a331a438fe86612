import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Open the embedded store: a file (WAL, synchronous=FULL so an acked write survives SIGKILL and power loss)
 * or ':memory:' for tests. Every service module creates its own tables with CREATE TABLE IF NOT EXISTS.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('busy_timeout = 5000'); // first: the message writer thread opens its own connection while the server sets up
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}
