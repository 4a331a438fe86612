import { Metrics } from './metrics.js';
import { resolveScenario } from './resolve.js';
import { runLoad } from './run.js';

/**
 * The load side of the fault self-test (tests/faults.test.ts, issue 8): a short `chat` load against the reference
 * server started in this process with `faults`; returns how many deliveries were lost (a fault like load.drop-1pct
 * must make this > 0, which `anychat-conform load` turns into a failed `lost == 0` threshold: LOAD.LOST).
 */
export async function lostUnderLoad(faults: string[]): Promise<number> {
  const { startServer } = await import('../reference-server/server.js');
  const server = await startServer({ port: 0, grpcPort: -1, db: ':memory:', faults });
  try {
    const scenario = await resolveScenario('chat', { params: { vus: '12', groupSize: '4', rate: '5/s', duration: '2s', grace: '2s', workers: '1' } });
    const result = await runLoad({ url: server.httpUrl, scenario });
    return Metrics.fromJSON(result.metrics).counters.get('lost') ?? 0;
  } finally {
    await server.close();
  }
}
