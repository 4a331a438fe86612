import { isoFromMs, timestampFromMs } from '../ids.js';
import { protoType } from '../message/conversation.js';
import type { SessionRow } from './domain.js';

/** Proto-derived camelCase Session for REST (contract-notes I10): sessionType private|group, RFC 3339 times; pinTime only when pinned. */
export function restSession(row: SessionRow): Record<string, unknown> {
  return {
    sessionId: row.session_id,
    sessionType: row.session_type,
    userId: row.user_id,
    targetId: row.target_id,
    lastMessageId: row.last_message_id,
    lastMessageContent: row.last_message_content,
    ...(row.last_message_time ? { lastMessageTime: isoFromMs(row.last_message_time) } : {}),
    unreadCount: row.unread_count,
    isPinned: row.is_pinned === 1,
    isMuted: row.is_muted === 1,
    ...(row.pin_time ? { pinTime: isoFromMs(row.pin_time) } : {}),
    createdAt: isoFromMs(row.created_at),
    updatedAt: isoFromMs(row.updated_at),
  };
}

/** anychat.session.Session with proto field names: session_type single|group, Timestamps. */
export function grpcSession(row: SessionRow): Record<string, unknown> {
  return {
    session_id: row.session_id,
    session_type: protoType(row.session_type),
    user_id: row.user_id,
    target_id: row.target_id,
    last_message_id: row.last_message_id,
    last_message_content: row.last_message_content,
    ...(row.last_message_time ? { last_message_time: timestampFromMs(row.last_message_time) } : {}),
    unread_count: row.unread_count,
    is_pinned: row.is_pinned === 1,
    is_muted: row.is_muted === 1,
    ...(row.pin_time ? { pin_time: timestampFromMs(row.pin_time) } : {}),
    created_at: timestampFromMs(row.created_at),
    updated_at: timestampFromMs(row.updated_at),
  };
}
