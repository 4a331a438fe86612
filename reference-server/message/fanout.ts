import type { Connection } from '../bus.js';
import type { ServerContext } from '../context.js';
import { nowSec } from '../ids.js';
import { groupMemberIds, userGroupIds, type Conversation } from './conversation.js';
import { atUsersOf, newMessageData, type MessageRow } from './shape.js';

/** How long ord.reordered-fanout holds a frame waiting for the next one before releasing it anyway. */
const REORDER_HOLD_MS = 200;

/**
 * Delivery of stored messages to live sockets: `message.new` to every device of every member except the socket that
 * sent it (so the sender's other devices get it), `message.mentioned` to mentioned members. The ordering faults live here.
 */
export class MessageFanout {
  private readonly reorder = new WeakMap<Connection, { n: number; held?: unknown; timer?: NodeJS.Timeout }>();
  /** message.new frames delivered so far (fault load.drop-1pct) */
  private deliveries = 0;

  constructor(private readonly ctx: ServerContext) {}

  deliverNew(row: MessageRow, conv: Conversation, origin?: Connection): void {
    const { ctx } = this;
    const recipients = new Set(conv.members);
    if (ctx.faults.on('ord.drop-one-member') && conv.type === 'group') {
      const victim = conv.members.filter((u) => u !== row.sender_id).sort().at(-1);
      if (victim) recipients.delete(victim);
    }
    if (ctx.faults.on('ord.cross-conversation-leak')) {
      for (const g of userGroupIds(ctx, row.sender_id)) {
        if (g !== conv.id) for (const u of groupMemberIds(ctx, g)) recipients.add(u);
      }
    }
    // Built at the first socket that gets it (a message to offline members costs no frame), then shared.
    let data: Record<string, unknown> | undefined;
    let frame: unknown;
    const copies = ctx.faults.on('ord.duplicate-delivery') ? 2 : 1;
    for (const userId of recipients) {
      for (const conn of ctx.bus.connections(userId)) {
        if (conn === origin) continue;
        if (ctx.faults.on('load.drop-1pct') && ++this.deliveries % 100 === 0) continue; // every 100th delivery is lost
        frame ??= ctx.bus.frameFor('message.new', (data = newMessageData(row)), nowSec());
        for (let i = 0; i < copies; i++) this.send(conn, frame);
      }
    }
    if (row.at_users === '[]') return; // no mentions (what the store writes for none)
    const mentioned = atUsersOf(row).filter((u) => u !== row.sender_id && conv.members.includes(u));
    if (mentioned.length > 0) ctx.bus.notify(mentioned, 'message.mentioned', data ?? newMessageData(row));
  }

  /** ord.reordered-fanout: per socket, of every 4 frames the first two are delivered swapped. */
  private send(conn: Connection, frame: unknown): void {
    if (!this.ctx.faults.on('ord.reordered-fanout')) return conn.send(frame);
    let st = this.reorder.get(conn);
    if (!st) this.reorder.set(conn, (st = { n: 0 }));
    const k = st.n++ % 4;
    if (k === 0) {
      st.held = frame;
      const s = st;
      st.timer = setTimeout(() => {
        if (s.held !== undefined) conn.send(s.held);
        s.held = undefined;
      }, REORDER_HOLD_MS);
      st.timer.unref();
    } else if (k === 1 && st.held !== undefined) {
      clearTimeout(st.timer);
      conn.send(frame);
      conn.send(st.held);
      st.held = undefined;
    } else {
      conn.send(frame);
    }
  }
}
