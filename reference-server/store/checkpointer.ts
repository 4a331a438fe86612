import { Worker } from 'node:worker_threads';

// Under tsx (dev, tests) a worker needs the loader registered first (checkpoint-boot.mjs); compiled JS starts directly.
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./checkpoint-boot.mjs', import.meta.url) : new URL('./checkpoint-thread.js', import.meta.url);

/**
 * WAL checkpoints of the database file `path` on a thread of their own (store/checkpoint-thread.ts), so neither the
 * copy nor its two fsyncs stall the event loop. If the thread dies, the checkpoint asked for fails and the next one
 * starts a new thread.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(e: unknown): void }>();

  constructor(private readonly path: string) {
    this.worker = this.start();
  }

  /** Checkpoint now (PASSIVE: it copies what no reader still needs); resolves when it is done. */
  run(): Promise<void> {
    const w = (this.worker ??= this.start());
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    // Let a checkpoint in progress finish (up to 2 s), then stop the thread (terminated if it does not stop in 2 s).
    for (let waited = 0; this.waiting.size > 0 && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => w.once('exit', r));
    w.ref();
    w.postMessage({ close: true });
    const timer = setTimeout(() => void w.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    const w = new Worker(ENTRY, { workerData: { path: this.path } });
    w.unref(); // the server's listeners keep the process alive, not the checkpoints
    w.on('message', (m: { id: number }) => {
      const entry = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      entry?.resolve();
    });
    const fail = (err: unknown) => {
      for (const entry of this.waiting.values()) entry.reject(err);
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`checkpoint thread exited with code ${code}`)));
    return w;
  }
}
