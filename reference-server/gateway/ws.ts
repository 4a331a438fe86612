import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Connection } from '../bus.js';
import { toSnakeKeys } from '../casing.js';
import type { ServerContext } from '../context.js';
import { AppError, badRequest, unauthorized } from '../errors.js';
import { sendError, toAppError } from '../http/envelope.js';
import type { Caller } from '../http/routes.js';
import { randomUUID } from '../ids.js';
import type { SendPayload } from '../message/domain.js';

/**
 * The WebSocket channel (AsyncAPI `/api/v1/ws`, also served at `/ws`): token checked before the upgrade, one Bus
 * connection per socket (several per user and per device), ping → pong, message.send → store → message.sent.
 *
 * Invalid frames (not JSON, binary, over maxFrameBytes, unknown `type`, a message.send failing the AsyncAPI schema or
 * refused by the domain) are dropped and the connection stays open. Nothing is sent back: the contract has no error
 * frame, and any frame whose `type` is outside the subscribe oneOf (pong | message.sent | notification) would itself
 * be nonconformant.
 */
export default async function wsGateway(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  installNotificationShape(ctx);
  const callers = new WeakMap<FastifyRequest, Caller>();
  app.route({
    method: 'GET',
    url: '/ws',
    preValidation: async (req, reply) => {
      try {
        callers.set(req, authenticateSocket(ctx, (req.query as Record<string, unknown>)?.token));
      } catch (err) {
        return sendError(ctx, reply, toAppError(err, req.log, 'message'));
      }
    },
    // A plain GET (no Upgrade header) with a valid token.
    handler: async (_req, reply) => sendError(ctx, reply, badRequest('message', 'WebSocket upgrade required')),
    wsHandler: (socket, req) => onConnection(ctx, socket, callers.get(req)!, req.log),
  });
}

function authenticateSocket(ctx: ServerContext, token: unknown): Caller {
  try {
    if (typeof token !== 'string' || token === '') throw unauthorized('auth', "query parameter 'token' is required", 'token');
    const auth = ctx.domains.auth as unknown as { authenticateToken?: (t: string) => Caller; authenticate(h: string): Caller };
    return typeof auth.authenticateToken === 'function' ? auth.authenticateToken(token) : auth.authenticate(`Bearer ${token}`);
  } catch (err) {
    if (err instanceof AppError && ctx.faults.on('ws.bad-token-accepted')) {
      return { userId: 'anonymous', deviceId: '', deviceType: '', sid: '', token: String(token ?? '') };
    }
    throw err;
  }
}

/** Fault ws.notification-shape: the real backend's frame {type, payload:{notification_id, type, timestamp, payload}}. */
function installNotificationShape(ctx: ServerContext): void {
  if (!ctx.faults.on('ws.notification-shape')) return;
  ctx.bus.frameFor = (type, data, timestamp) => ({
    type: 'notification',
    payload: { notification_id: randomUUID(), type, timestamp, payload: toSnakeKeys(data) },
  });
}

/**
 * Frames leave in bursts (a stored batch: every ack, every fan-out copy): each socket is corked at its first frame of
 * the burst and uncorked once the current tick's callbacks and microtasks are done, so a burst costs one write per
 * socket instead of one per frame. `_socket` is ws's net.Socket (not public API; without it, frames go one by one).
 */
const corked = new Set<{ cork(): void; uncork(): void }>();
function corkForThisTick(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  if (!raw || corked.has(raw)) return;
  raw.cork();
  corked.add(raw);
  if (corked.size === 1) process.nextTick(uncorkAll);
}
function uncorkAll(): void {
  for (const raw of corked) raw.uncork();
  corked.clear();
}

/**
 * JSON of the last frame sent: fan-out hands the same frame object to every recipient, so it is serialised once per
 * message rather than once per socket. Frames are built fresh and never changed after sending.
 */
let lastFrame: unknown;
let lastText = '';
function serialise(frame: unknown): string {
  if (frame !== lastFrame) {
    lastText = JSON.stringify(frame);
    lastFrame = frame;
  }
  return lastText;
}

function onConnection(ctx: ServerContext, socket: WebSocket, caller: Caller, log: FastifyBaseLogger): void {
  const conn: Connection = {
    userId: caller.userId,
    deviceId: caller.deviceId,
    socket,
    send(frame) {
      if (socket.readyState !== socket.OPEN) return;
      corkForThisTick(socket);
      socket.send(serialise(frame));
    },
  };
  if (ctx.faults.on('dialect.single-socket')) {
    for (const old of ctx.bus.connections(caller.userId)) old.socket.close(1000, 'replaced by new connection');
  }
  ctx.bus.add(conn);
  socket.on('close', () => ctx.bus.remove(conn));
  socket.on('message', (data, isBinary) => onFrame(ctx, conn, data, isBinary, log));
}

function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function onFrame(ctx: ServerContext, conn: Connection, data: RawData, isBinary: boolean, log: FastifyBaseLogger): void {
  const size = frameBytes(data);
  if (isBinary || size > ctx.config.maxFrameBytes) {
    log.debug({ size, isBinary }, 'ws: frame dropped (binary or too large)');
    return;
  }
  let frame: any;
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
    frame = JSON.parse(text);
  } catch {
    log.debug('ws: frame dropped (not JSON)');
    return;
  }
  const type = frame && typeof frame === 'object' && !Array.isArray(frame) ? frame.type : undefined;
  if (type === 'ping') {
    if (!ctx.faults.on('ws.no-pong')) conn.send({ type: 'pong' });
  } else if (type === 'message.send') {
    void onMessageSend(ctx, conn, frame, log);
  } else {
    log.debug({ type }, 'ws: frame dropped (unknown type)');
    if (ctx.faults.on('ws.close-on-unknown-type')) conn.socket.close(1003, 'unknown frame type');
  }
}

const publishValidators = new WeakMap<ServerContext, (frame: unknown) => { issues: unknown[] }>();
function publishValidator(ctx: ServerContext): (frame: unknown) => { issues: unknown[] } {
  let v = publishValidators.get(ctx);
  if (!v) publishValidators.set(ctx, (v = ctx.contracts.validators.wsFrame('publish')));
  return v;
}

async function onMessageSend(ctx: ServerContext, conn: Connection, frame: { payload: SendPayload }, log: FastifyBaseLogger): Promise<void> {
  if (ctx.faults.on('ws.never-ack')) return; // dropped: never stored, never acked
  const { issues } = publishValidator(ctx)(frame);
  if (issues.length > 0) {
    log.debug({ issues }, 'ws: message.send dropped (fails the AsyncAPI schema)');
    return;
  }
  try {
    const { message } = await ctx.domains.message.send(conn.userId, conn.deviceId, frame.payload, conn);
    const ack: Record<string, unknown> = {
      messageId: message.message_id,
      // Not in the AsyncAPI payload (extra keys are allowed): tells the client the canonical id of a new private chat.
      conversationId: message.conversation_id,
      sequence: message.sequence,
      timestamp: ctx.faults.on('ws.ack-ms-timestamp') ? message.created_at : Math.floor(message.created_at / 1000),
    };
    if (ctx.faults.on('ws.ack-missing-sequence')) delete ack.sequence;
    const localId = frame.payload.localId;
    if (localId !== undefined && !ctx.faults.on('ws.localid-not-echoed')) ack.localId = localId;
    conn.send({ type: 'message.sent', payload: ack });
  } catch (err) {
    if (err instanceof AppError) log.debug({ err: err.message }, 'ws: message.send refused');
    else log.error({ err }, 'ws: message.send failed');
  }
}
