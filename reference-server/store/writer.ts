import { fsync, openSync, closeSync } from 'node:fs';
import { Checkpointer } from './checkpointer.js';
import { openDb, type Db } from './db.js';
import { MessageStore, type StoreJob, type StoreResult } from './message-store.js';

/**
 * Where message batches are stored: `write` commits the batch (one transaction) before it returns, and its promise
 * resolves once that commit is durable, one result per job in order. The next batch may be written before the
 * previous one's promise has resolved.
 */
export interface MessageWriter {
  write(jobs: StoreJob[]): Promise<StoreResult[]>;
  /** Resolves once every batch written is durable (or failed) and the writer's resources are released. */
  close(): Promise<void>;
}

/** On the server's own connection, durable at commit: for :memory: (no disk) and tables only that connection sees. */
export function inlineWriter(db: Db): MessageWriter {
  let store: MessageStore | undefined;
  return {
    write: async (jobs) => (store ??= new MessageStore(db)).storeBatch(jobs),
    close: async () => undefined,
  };
}

/** Commits between two checkpoints (about 30 WAL frames each under load). */
const CHECKPOINT_EVERY = 32;
/** Every this many checkpoints, commits wait for one to finish, so that the WAL starts over (see WalWriter.checkpoint). */
const RESTART_EVERY = 8;
/** The longest commits are held for a checkpoint (a stuck checkpoint thread must not stop the sends). */
const HOLD_TIMEOUT_MS = 1000;

/**
 * The message write path on a database file `path`: the SQL on the event loop, on a connection of its own with
 * synchronous=NORMAL (a commit writes its WAL frames and does not wait for the disk), and the WAL's fsync on the libuv
 * thread pool. A batch's promise resolves only after an fsync that started after its commit has completed, so an ack
 * still means "on disk". One fsync in flight at a time: the batches committed meanwhile share the next (group commit),
 * and the event loop goes on committing while the disk syncs. Checkpoints run on a thread of their own (Checkpointer),
 * on both connections' behalf.
 *
 * (Measured in issue 16 against a writer thread that owned the connection and committed with synchronous=FULL: the
 * event loop spent 12–13 µs per ack with the thread against 17–19 µs running the SQL itself, but with a third busy
 * thread on two cores the server acked 10–20 % fewer messages per second.)
 */
export function walWriter(main: Db, path: string): MessageWriter {
  return new WalWriter(main, path);
}

interface Held { jobs: StoreJob[]; resolve(r: StoreResult[]): void; reject(e: unknown): void }

class WalWriter implements MessageWriter {
  private readonly db: Db;
  private store: MessageStore | undefined;
  private readonly checkpointer: Checkpointer;
  private walFd = -1;
  private syncing = false;
  /** Committed, waiting for an fsync that starts after their commit. */
  private unsynced: Array<(err?: unknown) => void> = [];
  /** Set after a failed fsync: nothing committed after it can be trusted to be on disk, so nothing is acked any more. */
  private broken: unknown;
  private commits = 0;
  private checkpoints = 0;
  private checkpointing = false;
  /** Batches written while commits wait for a checkpoint (see checkpoint): committed together once it is done. */
  private held: Held[] | undefined;

  constructor(main: Db, private readonly path: string) {
    this.db = openDb(path);
    this.db.pragma('synchronous = NORMAL'); // the fsync below makes each commit durable before its ack
    this.db.pragma('wal_autocheckpoint = 0');
    main.pragma('wal_autocheckpoint = 0'); // the server's connection too: every checkpoint runs on the checkpoint thread
    this.checkpointer = new Checkpointer(path);
  }

  write(jobs: StoreJob[]): Promise<StoreResult[]> {
    return new Promise((resolve, reject) => {
      const batch = { jobs, resolve, reject };
      if (this.held) this.held.push(batch);
      else this.commit([batch]);
    });
  }

  async close(): Promise<void> {
    while (this.syncing || this.checkpointing || this.unsynced.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.checkpointer.close();
    if (this.walFd >= 0) closeSync(this.walFd);
    this.db.close();
  }

  /** One transaction for `batches`; they are answered after the next fsync. */
  private commit(batches: Held[]): void {
    let results: StoreResult[];
    try {
      if (this.broken !== undefined) throw this.broken;
      const jobs = batches.length === 1 ? batches[0]!.jobs : batches.flatMap((b) => b.jobs);
      results = (this.store ??= new MessageStore(this.db)).storeBatch(jobs);
    } catch (err) {
      for (const b of batches) b.reject(err);
      return;
    }
    if (++this.commits >= CHECKPOINT_EVERY) this.checkpoint();
    this.unsynced.push((err) => {
      let at = 0;
      for (const b of batches) {
        if (err !== undefined) b.reject(err);
        else b.resolve(batches.length === 1 ? results : results.slice(at, at + b.jobs.length));
        at += b.jobs.length;
      }
    });
    this.sync();
  }

  private sync(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const batch = this.unsynced;
    this.unsynced = [];
    this.syncing = true;
    try {
      if (this.walFd < 0) this.walFd = openSync(`${this.path}-wal`, 'r+'); // exists from the first commit on
    } catch (err) {
      this.synced(batch, err);
      return;
    }
    fsync(this.walFd, (err) => this.synced(batch, err ?? undefined));
  }

  private synced(batch: Array<(err?: unknown) => void>, err: unknown): void {
    this.syncing = false;
    if (err !== undefined && this.broken === undefined) {
      // After a failed fsync the kernel may have dropped pages it could not write: the commits after them would sit
      // behind a hole in the WAL, so none of them is acked either.
      this.broken = new Error(`message store: fsync of the WAL failed (${String((err as Error)?.message ?? err)}); no further message is acked`);
    }
    for (const done of batch) done(this.broken);
    this.sync();
  }

  /**
   * A checkpoint on the checkpoint thread, concurrent with further commits. The WAL starts over from its beginning
   * only at a commit that follows a checkpoint which copied all of it, so under steady load it would grow for ever:
   * every RESTART_EVERY-th checkpoint, commits wait until it is done (it copies only what the previous one left, a
   * millisecond or two) and the next commit starts the WAL over.
   */
  private checkpoint(): void {
    if (this.checkpointing) return;
    this.checkpointing = true;
    this.commits = 0;
    if (++this.checkpoints % RESTART_EVERY === 0) this.held = [];
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.checkpointing = false;
      const held = this.held;
      this.held = undefined;
      if (held && held.length > 0) this.commit(held);
    };
    // A failed or stuck checkpoint only leaves the WAL longer (the next one copies it); held commits never wait longer.
    if (this.held) timer = setTimeout(done, HOLD_TIMEOUT_MS);
    this.checkpointer.run().then(done, done);
  }
}
