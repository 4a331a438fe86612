import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type * as grpc from '@grpc/grpc-js';
import { ServerCredentials } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadContracts } from '../contracts/index.js';
import { Bus } from './bus.js';
import type { Domains, ServerConfig, ServerContext } from './context.js';
import { Faults } from './faults.js';
import { serviceDown } from './dialect.js';
import { openDb } from './store/db.js';
import { clientError, frameworkError, notFound, registerJsonParser } from './http/framework.js';
import { buildGrpcServer, type RpcHandlers } from './grpc/host.js';
import { AuthDomain } from './auth/domain.js';
import { UserDomain } from './user/domain.js';
import { FriendDomain } from './friend/domain.js';
import { GroupDomain } from './group/domain.js';
import { MessageDomain } from './message/domain.js';
import { SessionDomain } from './session/domain.js';
import { SyncDomain } from './sync/domain.js';
import { FileDomain } from './file/domain.js';
import { PushDomain } from './push/domain.js';
import { RtcDomain } from './rtc/domain.js';
import { AdminDomain } from './admin/domain.js';
import authHttp from './auth/http.js';
import userHttp from './user/http.js';
import friendHttp from './friend/http.js';
import groupHttp from './group/http.js';
import sessionHttp from './session/http.js';
import syncHttp from './sync/http.js';
import fileHttp from './file/http.js';
import rtcHttp from './rtc/http.js';
import adminHttp from './admin/http.js';
import wsGateway from './gateway/ws.js';
import { grpcService as authGrpc } from './auth/grpc.js';
import { grpcService as userGrpc } from './user/grpc.js';
import { grpcService as friendGrpc } from './friend/grpc.js';
import { grpcService as groupGrpc } from './group/grpc.js';
import { grpcService as messageGrpc } from './message/grpc.js';
import { grpcService as sessionGrpc } from './session/grpc.js';
import { grpcService as syncGrpc } from './sync/grpc.js';
import { grpcService as fileGrpc } from './file/grpc.js';
import { grpcService as pushGrpc } from './push/grpc.js';
import { grpcService as rtcGrpc } from './rtc/grpc.js';
import { grpcService as adminGrpc } from './admin/grpc.js';

export interface ServeOptions {
  host?: string;
  /** HTTP + WS port; 0 picks a free one. Default 8080. */
  port?: number;
  /** gRPC port; 0 picks a free one; -1 disables gRPC. Default 9090. */
  grpcPort?: number;
  /** SQLite file, or ':memory:'. Default ./data/anychat.db. */
  db?: string;
  jwtSecret?: string;
  accessTtlSec?: number;
  refreshTtlSec?: number;
  adminUser?: string;
  adminPassword?: string;
  faults?: string[];
  contractsDir?: string;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface RunningServer {
  httpUrl: string;
  /** REST base: httpUrl + /api/v1 */
  baseUrl: string;
  wsUrl: string;
  /** Base of the admin API: baseUrl + /admin, or httpUrl + /api/admin with fault dialect.admin-elsewhere. */
  adminUrl: string;
  grpcAddress: string | null;
  ctx: ServerContext;
  close(): Promise<void>;
}

/** Start the reference server: HTTP + WS on one port, every gRPC service on another, one SQLite store under both. */
export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const contracts = loadContracts(opts.contractsDir);
  const dbPath = opts.db ?? join(process.cwd(), 'data', 'anychat.db');
  const db = openDb(dbPath);
  // An in-memory store keeps its uploads in a temporary directory, removed by close() like the rest of its data.
  const tempFilesDir = dbPath === ':memory:' ? mkdtempSync(join(tmpdir(), 'anychat-files-')) : undefined;
  const config: ServerConfig = {
    jwtSecret: opts.jwtSecret ?? process.env.ANYCHAT_JWT_SECRET ?? randomBytes(32).toString('hex'),
    accessTtlSec: opts.accessTtlSec ?? 3600,
    refreshTtlSec: opts.refreshTtlSec ?? 30 * 24 * 3600,
    adminUser: opts.adminUser ?? 'admin',
    adminPassword: opts.adminPassword ?? 'Admin@123456',
    publicUrl: '',
    filesDir: tempFilesDir ?? join(dirname(dbPath), 'files'),
    maxFrameBytes: 64 * 1024,
  };
  const ctx: ServerContext = {
    db,
    bus: new Bus(),
    faults: new Faults(opts.faults ?? []),
    contracts,
    config,
    domains: {} as Domains,
  };
  Object.assign(ctx.domains, {
    auth: new AuthDomain(ctx),
    user: new UserDomain(ctx),
    friend: new FriendDomain(ctx),
    group: new GroupDomain(ctx),
    message: new MessageDomain(ctx),
    session: new SessionDomain(ctx),
    sync: new SyncDomain(ctx),
    file: new FileDomain(ctx),
    push: new PushDomain(ctx),
    rtc: serviceDown(ctx, 'RTC', new RtcDomain(ctx)), // fault dialect.service-500
    admin: new AdminDomain(ctx),
  } satisfies Domains);

  const app: FastifyInstance = Fastify({
    logger: opts.logLevel && opts.logLevel !== 'silent' ? { level: opts.logLevel } : false,
    bodyLimit: 1024 * 1024,
    // Router and HTTP-parser errors get the envelope too (http/framework.ts), not Fastify's own body.
    frameworkErrors: (err, req, reply) => frameworkError(ctx, err, req, reply),
    clientErrorHandler: clientError(ctx),
  });
  registerJsonParser(app, ctx);
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
  // Well above config.maxFrameBytes, so realistic oversized frames (up to ~1 MiB of content) reach the gateway and are
  // dropped there instead of the ws library closing the socket with 1009.
  await app.register(websocket, { options: { maxPayload: 4 * 1024 * 1024 } });
  app.setErrorHandler((err, req, reply) => frameworkError(ctx, err, req, reply));
  app.setNotFoundHandler((req, reply) => notFound(ctx, req, reply));
  const api = { prefix: '/api/v1', ctx };
  for (const plugin of [authHttp, userHttp, friendHttp, groupHttp, sessionHttp, syncHttp, fileHttp, rtcHttp, wsGateway]) {
    await app.register(plugin, api);
  }
  // fault dialect.admin-elsewhere: the backend's admin-service serves /api/admin/*, not /api/v1/admin/*
  if (ctx.faults.on('dialect.admin-elsewhere')) {
    await app.register(adminHttp, { ...api, prefix: '/api' });
    app.all('/api/v1/admin/*', (_req, reply) => reply.status(404).type('text/plain').send('404 page not found')); // as Go's router answers
  } else {
    await app.register(adminHttp, api);
  }
  await app.register(wsGateway, { ctx }); // alias /ws (contract-notes I12)
  app.get('/health', async () => ({ status: 'ok', service: 'anychat-conform-reference-server' }));

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 8080 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  config.publicUrl = `http://${urlHost}:${port}`;

  let grpcServer: grpc.Server | null = null;
  let grpcAddress: string | null = null;
  if ((opts.grpcPort ?? 9090) >= 0) {
    const impls: Record<string, RpcHandlers> = {};
    for (const make of [authGrpc, userGrpc, friendGrpc, groupGrpc, messageGrpc, sessionGrpc, syncGrpc, fileGrpc, pushGrpc, rtcGrpc, adminGrpc]) {
      const { name, handlers } = make(ctx);
      impls[name] = handlers;
    }
    grpcServer = buildGrpcServer(ctx, impls);
    const bound = await new Promise<number>((resolve, reject) =>
      grpcServer!.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${opts.grpcPort ?? 9090}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    grpcAddress = `${urlHost}:${bound}`;
  }

  let closed = false;
  return {
    httpUrl: config.publicUrl,
    baseUrl: `${config.publicUrl}/api/v1`,
    wsUrl: `${config.publicUrl.replace(/^http/, 'ws')}/api/v1/ws`,
    adminUrl: `${config.publicUrl}${ctx.faults.on('dialect.admin-elsewhere') ? '/api' : '/api/v1'}/admin`,
    grpcAddress,
    ctx,
    async close() {
      if (closed) return;
      closed = true;
      for (const conn of ctx.bus.all()) conn.socket.close(1001, 'server shutting down');
      if (grpcServer) await new Promise<void>((r) => grpcServer!.tryShutdown(() => r()));
      await app.close();
      await ctx.domains.message.close();
      db.close();
      if (tempFilesDir) rmSync(tempFilesDir, { recursive: true, force: true });
    },
  };
}
