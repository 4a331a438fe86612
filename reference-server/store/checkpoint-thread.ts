import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';

/**
 * The checkpoint thread (started by checkpointer.ts): its own connection to the server's database file, on which it
 * copies the WAL back into the database file. synchronous=FULL (openDb), so a checkpoint syncs the WAL before it
 * copies and the database file after, and the WAL only starts over once both are on disk. PASSIVE: it never waits
 * for, or blocks, the event loop's writes. Protocol:
 *   parent → thread  { id }          (checkpoint now)
 *   thread → parent  { id }          (done)
 *   parent → thread  { close: true } (close the connection and exit)
 * It also checkpoints once a second on its own, so writes that are not messages (the event loop's connections run no
 * checkpoints of their own) never let the WAL grow for long.
 */
const port = parentPort!;
const db = openDb((workerData as { path: string }).path);

function checkpoint(): void {
  db.pragma('wal_checkpoint(PASSIVE)');
}

const timer = setInterval(checkpoint, 1000);
port.on('message', (m: { id: number } | { close: true }) => {
  if ('close' in m) {
    clearInterval(timer);
    db.close();
    port.close(); // nothing else keeps the thread alive: it exits
    return;
  }
  checkpoint();
  port.postMessage({ id: m.id });
});
