import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';

const descriptor = descriptorModule as unknown as { FileDescriptorProto: protobuf.Type };
const require = createRequire(import.meta.url);

export interface ReflectedSchema {
  /** service → method → fully-qualified input/output type names (no leading dot) */
  services: Map<string, Map<string, { input: string; output: string }>>;
  /** message → field name → field number */
  messages: Map<string, Map<string, number>>;
}

function reflectionProto(): string {
  const pkg = dirname(require.resolve('@grpc/reflection/package.json'));
  return join(pkg, 'build', 'proto', 'grpc', 'reflection', 'v1alpha', 'reflection.proto');
}

/**
 * Ask the target's server reflection (grpc.reflection.v1alpha) for every service and the files that define them.
 * Returns null when the target does not offer reflection. Bounded by `timeoutMs`.
 */
export async function reflectServices(address: string, timeoutMs: number): Promise<ReflectedSchema | null> {
  const def = protoLoader.loadSync(reflectionProto(), { keepCase: true, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const Ctor = pkg.grpc.reflection.v1alpha.ServerReflection;
  const client: grpc.Client = new Ctor(address, grpc.credentials.createInsecure());
  const stream = (client as any).ServerReflectionInfo({ deadline: Date.now() + timeoutMs });
  const pending: Array<(r: any) => void> = [];
  let failed: Error | null = null;
  stream.on('data', (r: any) => pending.shift()?.(r));
  stream.on('error', (e: Error) => {
    failed = e;
    for (const p of pending.splice(0)) p(null);
  });
  const ask = (req: Record<string, unknown>) =>
    new Promise<any>((resolve) => {
      if (failed) return resolve(null);
      pending.push(resolve);
      stream.write(req);
    });
  try {
    const list = await ask({ list_services: '' });
    if (!list?.list_services_response) return null;
    const schema: ReflectedSchema = { services: new Map(), messages: new Map() };
    const seenFiles = new Set<string>();
    for (const { name } of list.list_services_response.service as Array<{ name: string }>) {
      if (name.startsWith('grpc.')) continue;
      const files = await ask({ file_containing_symbol: name });
      for (const bytes of files?.file_descriptor_response?.file_descriptor_proto ?? []) {
        const fd: any = descriptor.FileDescriptorProto.decode(bytes);
        if (seenFiles.has(fd.name)) continue;
        seenFiles.add(fd.name);
        const prefix = fd.package ? `${fd.package}.` : '';
        for (const s of fd.service ?? []) {
          const methods = new Map<string, { input: string; output: string }>();
          for (const m of s.method ?? []) methods.set(m.name, { input: String(m.inputType).replace(/^\./, ''), output: String(m.outputType).replace(/^\./, '') });
          schema.services.set(`${prefix}${s.name}`, methods);
        }
        for (const m of fd.messageType ?? []) {
          schema.messages.set(`${prefix}${m.name}`, new Map((m.field ?? []).map((f: any) => [f.name, f.number])));
        }
      }
    }
    return schema;
  } finally {
    stream.end();
    client.close();
  }
}
