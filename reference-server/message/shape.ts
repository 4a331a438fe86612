import { isoFromMs, timestampFromMs } from '../ids.js';
import { protoType, type ConversationType } from './conversation.js';

/** 0 normal, 1 recalled, 2 deleted (message.proto Message.status). */
export const MessageStatus = { normal: 0, recalled: 1, deleted: 2 } as const;

/** A stored message; times are epoch ms, at_users is a JSON array. */
export interface MessageRow {
  message_id: string;
  conversation_id: string;
  conversation_type: ConversationType;
  sender_id: string;
  content_type: string;
  content: string;
  sequence: number;
  reply_to: string | null;
  at_users: string;
  status: number;
  local_id: string | null;
  created_at: number;
  updated_at: number;
}

export function atUsersOf(row: MessageRow): string[] {
  try {
    const v = JSON.parse(row.at_users) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/** The camelCase fields REST messages and `message.new` data share (conversationType private|group). */
function camelCore(row: MessageRow): Record<string, unknown> {
  return {
    messageId: row.message_id,
    conversationId: row.conversation_id,
    conversationType: row.conversation_type,
    senderId: row.sender_id,
    contentType: row.content_type,
    content: row.content,
    sequence: row.sequence,
  };
}

/** Proto-derived camelCase Message for REST (/sync, /sync/messages): conversationType private|group, RFC 3339 times. */
export function restMessage(row: MessageRow): Record<string, unknown> {
  return {
    ...camelCore(row),
    ...(row.reply_to ? { replyTo: row.reply_to } : {}),
    atUsers: atUsersOf(row),
    status: row.status,
    createdAt: isoFromMs(row.created_at),
    updatedAt: isoFromMs(row.updated_at),
  };
}

/** anychat.message.Message with proto field names: conversation_type single|group, Timestamps. */
export function grpcMessage(row: MessageRow): Record<string, unknown> {
  return {
    message_id: row.message_id,
    conversation_id: row.conversation_id,
    conversation_type: protoType(row.conversation_type),
    sender_id: row.sender_id,
    content_type: row.content_type,
    content: row.content,
    sequence: row.sequence,
    ...(row.reply_to ? { reply_to: row.reply_to } : {}),
    at_users: atUsersOf(row),
    status: row.status,
    created_at: timestampFromMs(row.created_at),
    updated_at: timestampFromMs(row.updated_at),
  };
}

/** `message.new` data: the AsyncAPI example keys (+ conversationType, timestamp in seconds, and the optional ones when set). */
export function newMessageData(row: MessageRow): Record<string, unknown> {
  const atUsers = atUsersOf(row);
  return {
    ...camelCore(row),
    timestamp: Math.floor(row.created_at / 1000),
    ...(row.local_id ? { localId: row.local_id } : {}),
    ...(row.reply_to ? { replyTo: row.reply_to } : {}),
    ...(atUsers.length > 0 ? { atUsers } : {}),
  };
}
