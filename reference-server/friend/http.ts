import type { FastifyInstance } from 'fastify';
import { toSnakeKeys } from '../casing.js';
import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { contractRoutes } from '../http/routes.js';
import { toMs } from '../ids.js';
import { blockToRest, requestToRest } from './shapes.js';

/**
 * The contract types four friend request bodies as a bare `{type: object}` (contract-notes I9); we accept the backend's
 * field names plus the proto-style aliases, and name the field in every 400.
 */
function stringField(body: Record<string, unknown>, names: string[], opts: { required?: boolean } = {}): string | undefined {
  const name = names.find((n) => body[n] !== undefined && body[n] !== null);
  if (name === undefined) {
    if (opts.required) throw badRequest('friend', `field '${names[0]}' is required`, names[0]);
    return undefined;
  }
  const v = body[name];
  if (typeof v !== 'string') throw badRequest('friend', `field '${name}' must be a string`, name);
  if (opts.required && v === '') throw badRequest('friend', `field '${name}' must not be empty`, name);
  return v;
}

/** REST routes of the friend area (9 operations). */
export default async function friendHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const friends = () => ctx.domains.friend;
  contractRoutes(app, ctx, {
    'GET /friends': ({ caller, query }) => {
      const since = typeof query.lastUpdateTime === 'number' && query.lastUpdateTime > 0 ? toMs(query.lastUpdateTime) : undefined;
      const list = friends().listFriends(caller.userId, since);
      const data = { friends: list, total: list.length };
      return ctx.faults.on('rest.snake-case') ? toSnakeKeys(data) : data; // fault rest.snake-case
    },

    'POST /friends/requests': ({ caller, body }) => {
      const userId = stringField(body, ['userId', 'toUserId'], { required: true })!;
      const message = stringField(body, ['message']) ?? '';
      const source = stringField(body, ['source']) ?? 'search';
      return friends().sendRequest(caller.userId, userId, message, source);
    },

    'GET /friends/requests': ({ caller, query }) => {
      const type = query.type ?? 'received';
      if (type !== 'received' && type !== 'sent') throw badRequest('friend', "query parameter 'type' must be 'received' or 'sent'", 'type');
      const requests = friends().requestRows(caller.userId, type).map((r) => requestToRest(ctx, r));
      return { requests, total: requests.length };
    },

    'PUT /friends/requests/{id}': ({ caller, params, body }) => {
      const action = stringField(body, ['action'], { required: true })!;
      friends().handleRequest(caller.userId, params.id, action);
    },

    'DELETE /friends/{id}': ({ caller, params }) => {
      friends().deleteFriend(caller.userId, params.id);
    },

    'PUT /friends/{id}/remark': ({ caller, params, body }) => {
      const remark = stringField(body, ['remark'], { required: false });
      if (remark === undefined) throw badRequest('friend', "field 'remark' is required", 'remark');
      friends().updateRemark(caller.userId, params.id, remark);
    },

    'GET /friends/blacklist': ({ caller }) => {
      const items = friends().blacklistRows(caller.userId).map((r) => blockToRest(ctx, r));
      return { items, total: items.length };
    },

    'POST /friends/blacklist': ({ caller, body }) => {
      const userId = stringField(body, ['userId', 'blockedUserId'], { required: true })!;
      friends().block(caller.userId, userId);
    },

    'DELETE /friends/blacklist/{id}': ({ caller, params }) => {
      friends().unblock(caller.userId, params.id);
    },
  });
}
