import { test } from '@playwright/test';
import { fail } from '../../fixtures/failure.js';
import { requirePrereq } from '../../fixtures/prereq.js';
import { check, type CheckArgs, type Level } from '../check.js';
import { servicePrereq } from './world.js';

/**
 * One check per rpc: `GRPC.<Service>.<Rpc>`, citing `package.Service/Rpc`. Skipped (with the reason) when the run has
 * no gRPC address for that service. The body calls the rpc with a valid request and states what the response must hold.
 */
export type RpcCheckArgs = Pick<CheckArgs, 'grpc' | 'target' | 'contracts' | 'recorder'>;

export function rpcCheck(rpcPath: string, title: string, body: (args: RpcCheckArgs) => Promise<void>, level: Level = 'SHOULD'): void {
  const [fullService, name] = rpcPath.split('/') as [string, string];
  const service = fullService.split('.').pop()!;
  // Playwright reads the fixtures a test needs from its destructured first parameter: list them here.
  check({ id: `GRPC.${service}.${name}`, level, cites: rpcPath, title }, async ({ grpc, target, contracts, recorder }) => {
    const reason = grpc.unavailable(fullService);
    test.skip(reason !== null, reason ?? '');
    // A service already seen not answering (GRPC.GR1 or a setup call) blocks at once, without a deadline spent.
    requirePrereq(servicePrereq(fullService));
    await body({ grpc, target, contracts, recorder });
  });
}

type Expectation = [field: string, ok: (v: any) => boolean, expected: string];

/** Assert response fields; one failure lists every unmet expectation with the observed values. */
export function expectResponse(rpcPath: string, response: any, expectations: Expectation[]): void {
  const unmet = expectations.filter(([field, ok]) => !ok(field.split('.').reduce((o, k) => o?.[k], response)));
  if (unmet.length > 0) {
    const seen = (f: string) => f.split('.').reduce((o: any, k) => o?.[k], response);
    fail({
      message: `${rpcPath} response: ${unmet.map(([f]) => f).join(', ')} not as expected`,
      expected: Object.fromEntries(unmet.map(([f, , e]) => [f, e])),
      observed: Object.fromEntries(unmet.map(([f]) => [f, seen(f) === undefined ? '(absent)' : seen(f)])),
      cite: rpcPath,
    });
  }
}

export const nonEmpty = (v: any) => typeof v === 'string' && v.length > 0;
export const positive = (v: any) => typeof v === 'number' && v > 0;
export const is = (x: unknown) => (v: any) => v === x;
export const arrayWith = (pred: (item: any) => boolean) => (v: any) => Array.isArray(v) && v.some(pred);
export const arrayWithout = (pred: (item: any) => boolean) => (v: any) => Array.isArray(v) && !v.some(pred);
