import type { ServerContext } from '../context.js';
import type { UserBrief } from '../user/domain.js';

/** What the friend and group services read about a user: through the user domain, never its tables. */
export type UserFacts = UserBrief;

/** The user's public facts, or null when no such user exists. */
export function userFacts(ctx: ServerContext, userId: string): UserFacts | null {
  return userId ? ctx.domains.user.info(userId) : null;
}

export function userExists(ctx: ServerContext, userId: string): boolean {
  return typeof userId === 'string' && userId !== '' && ctx.domains.user.exists(userId);
}

/** proto common.UserInfo / gw.UserInfo core in camelCase; just the id for an unknown (e.g. deleted) user. */
export function basicInfo(ctx: ServerContext, userId: string): { userId: string; nickname: string; avatar: string } {
  const u = userFacts(ctx, userId);
  return { userId, nickname: u?.nickname ?? '', avatar: u?.avatar ?? '' };
}

/** Whether a friend request to this user needs approval (UserSettings.friendVerifyRequired; true when unknown). */
export function friendVerifyRequired(ctx: ServerContext, userId: string): boolean {
  return ctx.domains.user.settings(userId)?.friendVerifyRequired !== false;
}
