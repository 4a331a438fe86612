import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import { contractRoutes } from '../http/routes.js';
import { pageArgs, type ProfilePatch, type SettingsPatch } from './domain.js';
import { restProfile, searchItem, type RestProfile } from './views.js';

const PROFILE_FIELDS = ['nickname', 'avatar', 'signature', 'gender', 'birthday', 'region'] as const;
const SETTINGS_FIELDS = [
  'notificationEnabled', 'soundEnabled', 'vibrationEnabled', 'messagePreviewEnabled',
  'friendVerifyRequired', 'searchByPhone', 'searchById', 'language',
] as const;

function pick<K extends string>(body: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, any>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

/** REST routes of the users area (7 ops). */
export default async function userHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const users = ctx.domains.user;
  const view = (userId: string) => restProfile(users.requireProfile(userId), { legacyTime: ctx.faults.on('rest.timestamp-format') });
  /** Fault `rest.stale-read`: GET /users/me answers from a per-user cache that PUT never invalidates. */
  const staleCache = new Map<string, RestProfile>();

  contractRoutes(app, ctx, {
    'GET /users/me': ({ caller }) => {
      if (!ctx.faults.on('rest.stale-read')) return view(caller.userId);
      let cached = staleCache.get(caller.userId);
      if (!cached) staleCache.set(caller.userId, (cached = view(caller.userId)));
      return cached;
    },
    'PUT /users/me': ({ caller, body }) => {
      users.updateProfile(caller.userId, pick(body, PROFILE_FIELDS) as ProfilePatch);
      return view(caller.userId);
    },
    'POST /users/me/push-token': ({ caller, body }) => {
      users.updatePushToken(caller.userId, { deviceId: body.deviceId, pushToken: body.pushToken, platform: body.platform });
    },
    'GET /users/me/settings': ({ caller }) => users.requireSettings(caller.userId),
    'PUT /users/me/settings': ({ caller, body }) => users.updateSettings(caller.userId, pick(body, SETTINGS_FIELDS) as SettingsPatch),
    'GET /users/search': ({ query }) => {
      const { page, pageSize } = pageArgs(query.page, query.pageSize);
      const r = users.search(String(query.keyword), page, pageSize, { all: ctx.faults.on('rest.pagination-ignored') });
      return { total: r.total, users: r.users.map(searchItem) };
    },
    'GET /users/{userId}': ({ params }) => {
      const b = users.brief(params.userId);
      if (!b) throw notFound('user', `user ${params.userId} not found`, 'userId');
      return searchItem(b);
    },
  });
}
