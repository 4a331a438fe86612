import { parentPort, workerData } from 'node:worker_threads';
import { runLane, type LaneSpec } from './lane.js';

/**
 * Worker-thread entry (compiled: started directly; from the sources: through worker-boot.mjs, which registers tsx first). Protocol with load/run.ts:
 *   parent → worker  { type: 'go', startAt } | { type: 'stop' }
 *   worker → parent  { type: 'ready', … } | { type: 'progress', counters } | { type: 'done', result } | { type: 'error', message }
 */
const port = parentPort!;
const stop = new AbortController();
let release: (startAt: number | null) => void = () => undefined;
const go = new Promise<number | null>((r) => (release = r));
port.on('message', (m: { type: string; startAt?: number }) => {
  if (m.type === 'go') release(m.startAt ?? null);
  if (m.type === 'stop') {
    stop.abort();
    release(null);
  }
});

try {
  const result = await runLane(workerData as LaneSpec, {
    ready: (info) => port.postMessage({ type: 'ready', ...info }),
    go,
    signal: stop.signal,
    progress: (counters) => port.postMessage({ type: 'progress', counters }),
  });
  port.postMessage({ type: 'done', result });
} catch (e) {
  port.postMessage({ type: 'error', message: String((e as Error)?.stack ?? e) });
}
port.close();
