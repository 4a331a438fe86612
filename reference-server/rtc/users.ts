import type { ServerContext } from '../context.js';

/** The RTC view of a user: existence (a callee must exist) and the display name put into room tokens. */
export function findUser(ctx: ServerContext, userId: string): { userId: string; nickname: string } | undefined {
  if (!userId) return undefined;
  const brief = ctx.domains.user.brief(userId);
  return brief ? { userId, nickname: brief.nickname || userId } : undefined;
}
