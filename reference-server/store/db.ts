import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Db = Database.Database;

let sqlite: typeof Database | undefined;

/**
 * better-sqlite3, loaded on first use: it is an optional dependency (a native module) that only the reference server
 * needs, so checking a URL installs and starts without it. The one place the store's driver is loaded.
 */
export function loadSqlite(): typeof Database {
  if (sqlite) return sqlite;
  try {
    const driver: typeof Database = createRequire(import.meta.url)('better-sqlite3');
    new driver(':memory:').close(); // the native addon loads on first open: fail here, with the message below
    return (sqlite = driver);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' ? 'is not installed' : `does not load (${String((e as Error)?.message ?? e).split('\n')[0]})`;
    // exitCode 2: the CLI prints this one line and exits 2, like any setup problem.
    throw Object.assign(new Error(`the reference server needs the optional dependency better-sqlite3, which ${why}: run npm install better-sqlite3`), { exitCode: 2 });
  }
}

/**
 * Open the embedded store: a file (WAL, synchronous=FULL so an acked write survives SIGKILL and power loss)
 * or ':memory:' for tests. Every service module creates its own tables with CREATE TABLE IF NOT EXISTS.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const Sqlite = loadSqlite();
  const db = new Sqlite(path);
  db.pragma('busy_timeout = 5000'); // first: the checkpoint thread opens its own connection while the server sets up
  // 2 KiB pages (before WAL and the first table; an existing file keeps its size): a commit writes whole pages to the
  // WAL, and a batch of messages dirties a few pages in each table and index it touches (34 pages of 2 KiB for 45
  // messages over 4 conversations, measured from the WAL), so smaller pages mean fewer bytes written and synced.
  db.pragma('page_size = 2048');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}
