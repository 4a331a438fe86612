import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { newId, nowMs } from '../ids.js';

/** push.proto SendPushRequest.push_type values. */
export const PUSH_TYPES = ['message', 'friend_request', 'group_invite', 'mention', 'call'] as const;

export interface PushInput {
  userIds: string[];
  title: string;
  content: string;
  pushType: string;
  extras: Record<string, string>;
}

export interface PushResult {
  msgId: string;
  /** Devices (registered push tokens) the push was addressed to. */
  successCount: number;
  /** Target users without any registered push token. */
  failureCount: number;
}

/**
 * Offline push (APNs/FCM in the real backend). There is no vendor here: a push is recorded with one delivery row per
 * registered device token, which is what "delivered" means for this server. Push tokens live in the user service.
 */
export class PushDomain {
  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS push_records (
        msg_id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        push_type TEXT NOT NULL,
        extras TEXT NOT NULL,
        success_count INTEGER NOT NULL,
        failure_count INTEGER NOT NULL,
        created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS push_deliveries (
        msg_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        device_id TEXT NOT NULL DEFAULT '',
        platform TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        PRIMARY KEY (msg_id, user_id, device_id));
    `);
  }

  /** Record a push to `userIds` and report it to their connected devices (`push.delivery_status`). */
  send(input: PushInput): PushResult {
    const userIds = [...new Set((input.userIds ?? []).filter((u) => typeof u === 'string' && u !== ''))];
    if (userIds.length === 0) throw badRequest('push', "field 'user_ids' must name at least one user", 'user_ids');
    const pushType = input.pushType || 'message';
    if (!(PUSH_TYPES as readonly string[]).includes(pushType)) {
      throw badRequest('push', `field 'push_type' must be one of ${PUSH_TYPES.join(', ')} (got ${JSON.stringify(input.pushType)})`, 'push_type');
    }
    const tokens = this.ctx.domains.user.pushTokens(userIds);
    const withToken = new Set(tokens.map((t) => t.userId));
    const result: PushResult = { msgId: newId('push'), successCount: tokens.length, failureCount: userIds.filter((u) => !withToken.has(u)).length };
    const db = this.ctx.db;
    db.transaction(() => {
      db.prepare('INSERT INTO push_records (msg_id, title, content, push_type, extras, success_count, failure_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(result.msgId, input.title ?? '', input.content ?? '', pushType, JSON.stringify(input.extras ?? {}), result.successCount, result.failureCount, nowMs());
      const row = db.prepare('INSERT INTO push_deliveries (msg_id, user_id, device_id, platform, status) VALUES (?, ?, ?, ?, ?)');
      for (const t of tokens) row.run(result.msgId, t.userId, t.deviceId, t.platform, 'sent');
      for (const u of userIds) if (!withToken.has(u)) row.run(result.msgId, u, '', '', 'no_token');
    })();
    this.ctx.bus.notify(userIds, 'push.delivery_status', { ...result });
    return result;
  }

  /**
   * A push token was registered by another user (the device switched accounts): the previous owner's registration for
   * that device is gone, and its other devices learn it through `push.token_invalid`.
   */
  tokenReplaced(previousUserId: string, deviceId: string, platform: string): void {
    this.ctx.bus.notify([previousUserId], 'push.token_invalid', { userId: previousUserId, deviceId, platform, reason: 'registered_by_another_user' });
  }
}
