import type { WebSocket } from 'ws';

/** One live WebSocket of one user's device. */
export interface Connection {
  userId: string;
  deviceId: string;
  socket: WebSocket;
  /** Send a frame (JSON-serialised); a closed socket is skipped silently. */
  send(frame: unknown): void;
}

const NONE: readonly Connection[] = Object.freeze([]);

/**
 * In-process notification bus: which sockets each user has, and delivery of `notification` frames.
 * Every notification any protocol triggers goes through notify(), so REST, WS and gRPC emit the same frames.
 */
export class Bus {
  private readonly byUser = new Map<string, Set<Connection>>();
  /** Optional hook so the gateway can rewrite notification frames (fault ws.notification-shape). */
  frameFor: (type: string, data: Record<string, unknown>, timestampSec: number) => unknown = (type, data, timestamp) => ({
    type: 'notification',
    payload: { notificationType: type, timestamp, data },
  });

  add(conn: Connection): void {
    let set = this.byUser.get(conn.userId);
    if (!set) this.byUser.set(conn.userId, (set = new Set()));
    set.add(conn);
  }

  remove(conn: Connection): void {
    const set = this.byUser.get(conn.userId);
    set?.delete(conn);
    if (set && set.size === 0) this.byUser.delete(conn.userId);
  }

  /** A copy (callers may close sockets while iterating); the shared empty list for a user with none. */
  connections(userId: string): readonly Connection[] {
    const set = this.byUser.get(userId);
    return set ? [...set] : NONE;
  }

  /** All connections, e.g. for shutdown. */
  all(): Connection[] {
    return [...this.byUser.values()].flatMap((s) => [...s]);
  }

  /** Send notification `type` with camelCase `data` to every device of every user in `userIds` (deduplicated). */
  notify(userIds: Iterable<string>, type: string, data: Record<string, unknown>): void {
    const timestamp = Math.floor(Date.now() / 1000);
    const frame = this.frameFor(type, data, timestamp);
    for (const userId of new Set(userIds)) {
      for (const conn of this.connections(userId)) conn.send(frame);
    }
  }

  /** Close every socket of a user (ban, password change elsewhere). */
  disconnectUser(userId: string, code = 4001, reason = 'session ended'): void {
    for (const conn of this.connections(userId)) conn.socket.close(code, reason);
  }
}
