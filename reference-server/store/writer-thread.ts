import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';
import { MessageStore, type StoreJob } from './message-store.js';

/**
 * The writer thread (started by writer.ts): its own connection to the server's database file, the message write
 * path on it, so each batch's commit and fsync run off the event loop. Protocol:
 *   parent → writer  { id, jobs: StoreJob[] }
 *   writer → parent  { id, results: StoreResult[] }   (after the commit is on disk: synchronous=FULL)
 *   parent → writer  { close: true }                  (close the connection and exit)
 * Statements are prepared at the first batch: the server creates the tables on its own connection while this
 * thread starts, and every batch comes after that.
 */
const port = parentPort!;
const db = openDb((workerData as { path: string }).path);
let store: MessageStore | undefined;

port.on('message', (m: { id: number; jobs: StoreJob[] } | { close: true }) => {
  if ('close' in m) {
    db.close();
    port.close(); // nothing else keeps the thread alive: it exits
    return;
  }
  store ??= new MessageStore(db);
  port.postMessage({ id: m.id, results: store.storeBatch(m.jobs) });
});
