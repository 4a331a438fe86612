import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';
import { MessageStore } from './message-store.js';
import { decodeJobs, encodeResults, type WireJobs } from './writer-wire.js';

/**
 * The writer thread (started by writer.ts): its own connection to the server's database file, the message write
 * path on it, so each batch's commit and fsync run off the event loop. Protocol (writer-wire.ts):
 *   parent → writer  { id, jobs: WireJobs }
 *   writer → parent  { id, results: WireResults }   (after the commit is on disk: synchronous=FULL)
 *   parent → writer  { close: true }                (close the connection and exit)
 * Statements are prepared at the first batch: the server creates the tables on its own connection while this
 * thread starts, and every batch comes after that.
 */
const port = parentPort!;
const db = openDb((workerData as { path: string }).path);
let store: MessageStore | undefined;

port.on('message', (m: { id: number; jobs: WireJobs } | { close: true }) => {
  if ('close' in m) {
    db.close();
    port.close(); // nothing else keeps the thread alive: it exits
    return;
  }
  store ??= new MessageStore(db);
  port.postMessage({ id: m.id, results: encodeResults(store.storeBatch(decodeJobs(m.jobs))) });
});
