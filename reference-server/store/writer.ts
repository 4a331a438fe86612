import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import { MessageStore, type StoreJob, type StoreResult } from './message-store.js';

/**
 * Where message batches are stored: `write` resolves once the batch's transaction is committed (on disk for a file
 * database), one result per job in order. One batch at a time: the caller groups what arrives meanwhile.
 */
export interface MessageWriter {
  write(jobs: StoreJob[]): Promise<StoreResult[]>;
  close(): Promise<void>;
}

/** In-thread, on the server's own connection: for :memory: (no fsync to move) and tables only that connection sees. */
export function inlineWriter(db: Db): MessageWriter {
  let store: MessageStore | undefined;
  return {
    write: async (jobs) => (store ??= new MessageStore(db)).storeBatch(jobs),
    close: async () => undefined,
  };
}

// Under tsx (dev, tests) a worker needs the loader registered first (writer-boot.mjs); compiled JS starts directly.
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./writer-boot.mjs', import.meta.url) : new URL('./writer-thread.js', import.meta.url);

/**
 * A writer thread with its own connection to the database file `path` (store/writer-thread.ts). If the thread dies,
 * the batch in flight fails (never acked) and the next write starts a new thread.
 */
export function threadWriter(path: string): MessageWriter {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve(r: StoreResult[]): void; reject(e: unknown): void }>();
  const failAll = (err: unknown) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = new Worker(ENTRY, { workerData: { path } });
    w.unref(); // the server's listeners keep the process alive, not the writer
    w.on('message', (m: { id: number; results: StoreResult[] }) => {
      const entry = waiting.get(m.id);
      waiting.delete(m.id);
      entry?.resolve(m.results);
      if (waiting.size === 0) w.unref();
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => { if (worker === w) failAll(new Error(`message writer thread exited with code ${code}`)); });
    return w;
  };
  worker = start();
  return {
    write(jobs) {
      const w = (worker ??= start());
      const id = ++nextId;
      w.ref(); // a batch in flight keeps the process alive until it is stored
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ id, jobs: shareMemberLists(jobs) });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      // Let the batch in flight finish (its senders are acked or not, never half-stored), then stop the thread.
      while (waiting.size > 0) await new Promise((r) => setTimeout(r, 5));
      const exited = new Promise((r) => w.once('exit', r));
      w.ref();
      w.postMessage({ close: true });
      const timer = setTimeout(() => void w.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A conversation's member list repeats for each of its messages in a batch: point every job at the first equal list,
 * and the structured clone sends it once (it keeps shared references). Matters for large groups.
 */
function shareMemberLists(jobs: StoreJob[]): StoreJob[] {
  const first = new Map<string, StoreJob>();
  return jobs.map((j) => {
    const f = first.get(j.conversationId);
    if (!f) first.set(j.conversationId, j);
    return f && sameList(f.members, j.members) && sameList(f.targets, j.targets) ? { ...j, members: f.members, targets: f.targets } : j;
  });
}

function sameList(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
