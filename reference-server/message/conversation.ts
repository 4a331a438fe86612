import type { ServerContext } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';

/** Stored conversation types; the wire says 'private' (AsyncAPI/REST) or 'single' (protos) for the same thing (contract-notes I3). */
export type ConversationType = 'private' | 'group';

/** A conversation the caller may use, with everyone who sees it. */
export interface Conversation {
  id: string;
  type: ConversationType;
  members: string[];
  /** What each member's session points at: the peer (private) or the group. */
  targetFor(userId: string): string;
}

/** 'private' | 'single' → 'private'; 'group' → 'group'; anything else → undefined. */
export function normaliseType(t: unknown): ConversationType | undefined {
  if (t === 'private' || t === 'single') return 'private';
  if (t === 'group') return 'group';
  return undefined;
}

/** The protos' spelling of a conversation type. */
export function protoType(t: ConversationType): 'single' | 'group' {
  return t === 'private' ? 'single' : 'group';
}

/** Canonical private conversation id `p_<minUserId>_<maxUserId>` (contract-notes I11). */
export function canonicalPrivateId(a: string, b: string): string {
  return a < b ? `p_${a}_${b}` : `p_${b}_${a}`;
}

/** The peer in canonical id `id` when `userId` is one of its two users, else undefined. User ids may contain '_'. */
export function privatePeer(userId: string, id: string): string | undefined {
  if (!id.startsWith('p_')) return undefined;
  const rest = id.slice(2);
  const candidates: string[] = [];
  if (rest.startsWith(`${userId}_`)) candidates.push(rest.slice(userId.length + 1));
  if (rest.endsWith(`_${userId}`)) candidates.push(rest.slice(0, rest.length - userId.length - 1));
  return candidates.find((peer) => peer.length > 0 && canonicalPrivateId(userId, peer) === id);
}

/** Both users of a canonical private id whose one side is known (used when the caller is not a party, e.g. gRPC). */
export function privateMembersOf(id: string, knownUser: string): string[] | undefined {
  const peer = privatePeer(knownUser, id);
  return peer === undefined ? undefined : [knownUser, peer];
}

// ---- the other domains ----

/** Current member ids of a group ([] when it does not exist or was dissolved). */
export function groupMemberIds(ctx: ServerContext, groupId: string): string[] {
  return ctx.domains.group.memberIds(groupId);
}

export function isGroupMember(ctx: ServerContext, groupId: string, userId: string): boolean {
  return ctx.domains.group.isMember(groupId, userId);
}

/** Ids of the groups `userId` belongs to (for the cross-conversation-leak fault). */
export function userGroupIds(ctx: ServerContext, userId: string): string[] {
  return ctx.domains.group.groupIdsOf(userId);
}

function blockedEitherWay(ctx: ServerContext, a: string, b: string): boolean {
  return ctx.domains.friend.isBlocked(a, b) || ctx.domains.friend.isBlocked(b, a);
}

// ---- resolution ----

/**
 * The conversation `userId` may send into. Group: conversationId = groupId and the sender is a member now.
 * Private: conversationId is the peer's user id or the canonical pair id; stored under the canonical id; refused when
 * either side blocked the other.
 */
export function resolveForSend(ctx: ServerContext, userId: string, conversationId: string, type: unknown): Conversation {
  const t = normaliseType(type);
  if (!t) throw badRequest('message', `invalid field 'conversationType': must be one of private, single, group`, 'conversationType');
  if (!conversationId) throw badRequest('message', `invalid field 'conversationId': must not be empty`, 'conversationId');
  if (t === 'group') {
    const members = groupMemberIds(ctx, conversationId);
    if (!members.includes(userId)) throw forbidden('message', `not a member of group '${conversationId}'`, 'conversationId');
    return { id: conversationId, type: 'group', members, targetFor: () => conversationId };
  }
  const peer = privatePeer(userId, conversationId) ?? conversationId;
  if (peer === userId) throw badRequest('message', 'cannot start a private conversation with yourself', 'conversationId');
  if (!ctx.domains.user.exists(peer)) throw notFound('message', `user '${peer}' not found`, 'conversationId');
  if (blockedEitherWay(ctx, userId, peer)) throw forbidden('message', `messages between you and '${peer}' are blocked`, 'conversationId');
  return privateConversation(userId, peer);
}

/**
 * The conversation `userId` may read: group ⇒ a current member; private ⇒ the canonical id of (user, peer)
 * whichever form was given. Returns undefined when the caller does not belong to it.
 */
export function resolveForRead(ctx: ServerContext, userId: string, conversationId: string, type: unknown, storedType?: ConversationType): Conversation | undefined {
  const t = normaliseType(type) ?? storedType ?? (privatePeer(userId, conversationId) ? 'private' : 'group');
  if (t === 'group') {
    if (!isGroupMember(ctx, conversationId, userId)) return undefined;
    return { id: conversationId, type: 'group', members: groupMemberIds(ctx, conversationId), targetFor: () => conversationId };
  }
  const peer = privatePeer(userId, conversationId) ?? (conversationId.startsWith('p_') ? undefined : conversationId);
  if (!peer || peer === userId) return undefined;
  return privateConversation(userId, peer);
}

function privateConversation(a: string, b: string): Conversation {
  return { id: canonicalPrivateId(a, b), type: 'private', members: [a, b], targetFor: (u) => (u === a ? b : a) };
}
