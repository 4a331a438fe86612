import type { ServerContext } from '../context.js';
import type { RpcHandlers } from '../grpc/host.js';
import { AppError } from '../errors.js';

/** STUB — every rpc of anychat.auth.AuthService answers INTERNAL until the service is implemented. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const name = 'anychat.auth.AuthService';
  const handlers: RpcHandlers = {};
  for (const rpc of ctx.contracts.catalogue.rpcs.filter((r) => r.fullService === name)) {
    handlers[rpc.name] = () => { throw new AppError(500, 500, `${rpc.cite} not implemented yet`); };
  }
  return { name, handlers };
}
