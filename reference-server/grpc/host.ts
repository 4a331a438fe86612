import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { join } from 'node:path';
import type { ServerContext } from '../context.js';
import { AppError } from '../errors.js';

/** rpc name → implementation; request and response are plain objects with proto field names (snake_case). */
export type RpcHandlers = Record<string, (request: any) => unknown | Promise<unknown>>;

const STATUS_BY_HTTP: Record<number, grpc.status> = {
  400: grpc.status.INVALID_ARGUMENT,
  401: grpc.status.UNAUTHENTICATED,
  403: grpc.status.PERMISSION_DENIED,
  404: grpc.status.NOT_FOUND,
  409: grpc.status.ALREADY_EXISTS,
  500: grpc.status.INTERNAL,
};

/** Load every contract proto the way clients will: include root proto/, field names as written, int64 as numbers. */
export function loadPackageDefinition(ctx: ServerContext): protoLoader.PackageDefinition {
  const protoDir = join(ctx.contracts.bundle.location.dir, 'proto');
  return protoLoader.loadSync(ctx.contracts.bundle.protoFiles.map((f) => join(protoDir, f)), {
    includeDirs: [protoDir],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
}

/**
 * Build the gRPC server: every contract service registered with its handlers (a missing rpc is a startup error,
 * never UNIMPLEMENTED at run time), plus server reflection and the standard health service.
 */
export function buildGrpcServer(ctx: ServerContext, impls: Record<string, RpcHandlers>): grpc.Server {
  const def = loadPackageDefinition(ctx);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  for (const fullService of ctx.contracts.catalogue.services) {
    const serviceDef = def[fullService] as grpc.ServiceDefinition;
    const handlers = impls[fullService];
    if (!handlers) throw new Error(`reference server: no gRPC implementation for ${fullService}`);
    const impl: grpc.UntypedServiceImplementation = {};
    for (const rpcName of Object.keys(serviceDef)) {
      const fn = handlers[rpcName];
      if (!fn) throw new Error(`reference server: ${fullService}/${rpcName} is not implemented`);
      impl[rpcName] = (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        if (fullService === 'anychat.message.MessageService' && rpcName === 'SearchMessages' && ctx.faults.on('grpc.unimplemented')) {
          callback({ code: grpc.status.UNIMPLEMENTED, details: `${fullService}/${rpcName} is not implemented` });
          return;
        }
        Promise.resolve()
          .then(() => fn(call.request))
          .then(
            (res) => callback(null, res ?? {}),
            (err) => {
              if (err instanceof AppError) callback({ code: STATUS_BY_HTTP[err.status] ?? grpc.status.UNKNOWN, details: err.message });
              else callback({ code: grpc.status.INTERNAL, details: 'internal error' });
            },
          );
      };
    }
    server.addService(serviceDef, impl);
  }
  new ReflectionService(def).addToServer(server);
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  return server;
}
