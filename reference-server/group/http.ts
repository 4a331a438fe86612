import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { AppError } from '../errors.js';
import { contractRoutes } from '../http/routes.js';
import { nowSec, toMs } from '../ids.js';
import { groupToRest, joinRequestToRest, memberToRest } from './shapes.js';

/** REST routes of the group area (15 operations); request bodies are validated against the grp.* schemas by contractRoutes. */
export default async function groupHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const groups = () => ctx.domains.group;
  contractRoutes(app, ctx, {
    'GET /groups': ({ caller, query }) => {
      const since = typeof query.lastUpdateTime === 'number' && query.lastUpdateTime > 0 ? toMs(query.lastUpdateTime) : undefined;
      const list = groups().listUserGroups(caller.userId, since);
      return { groups: list, total: list.length, updateTime: nowSec() };
    },

    'POST /groups': ({ caller, body, reply }) => {
      const g = groups().create(caller.userId, { name: body.name, avatar: body.avatar, memberIds: body.memberIds, joinVerify: body.joinVerify });
      const data = groupToRest(ctx, g, caller.userId);
      if (ctx.faults.on('rest.wrong-status')) {
        return reply.status(201).type('application/json').send({ code: 0, message: 'success', data });
      }
      return data;
    },

    'GET /groups/{id}': ({ caller, params, reply }) => {
      try {
        return groupToRest(ctx, groups().get(params.id), caller.userId);
      } catch (err) {
        // Fault rest.404-as-200: an unknown group answers success with empty data.
        if (err instanceof AppError && err.status === 404 && ctx.faults.on('rest.404-as-200')) {
          return reply.status(200).type('application/json').send({ code: 0, message: 'success', data: {} });
        }
        throw err;
      }
    },

    'PUT /groups/{id}': ({ caller, params, body }) => {
      groups().update(params.id, caller.userId, { name: body.name, avatar: body.avatar, announcement: body.announcement, joinVerify: body.joinVerify });
    },

    'DELETE /groups/{id}': ({ caller, params }) => {
      groups().dissolve(params.id, caller.userId);
    },

    'POST /groups/{id}/join': ({ caller, params, body }) => groups().join(params.id, caller.userId, body.message ?? ''),

    'GET /groups/{id}/members': ({ caller, params, query }) => {
      const page = Math.max(1, query.page ?? 1);
      const pageSize = Math.min(100, Math.max(1, query.pageSize ?? 20));
      const { rows, total } = groups().members(params.id, caller.userId, page, pageSize);
      return { members: rows.map((m) => memberToRest(ctx, m)), page, total };
    },

    'POST /groups/{id}/members': ({ caller, params, body }) => {
      groups().invite(params.id, caller.userId, body.userIds);
    },

    'DELETE /groups/{id}/members/{userId}': ({ caller, params }) => {
      groups().removeMember(params.id, caller.userId, params.userId);
    },

    'PUT /groups/{id}/members/{userId}/role': ({ caller, params, body }) => {
      groups().setRole(params.id, caller.userId, params.userId, body.role);
    },

    'PUT /groups/{id}/nickname': ({ caller, params, body }) => {
      groups().setNickname(params.id, caller.userId, body.nickname);
    },

    'POST /groups/{id}/quit': ({ caller, params }) => {
      groups().quit(params.id, caller.userId);
    },

    'GET /groups/{id}/requests': ({ caller, params, query }) => {
      const requests = groups().joinRequests(params.id, caller.userId, query.status).map((r) => joinRequestToRest(ctx, r));
      return { requests, total: requests.length };
    },

    'PUT /groups/{id}/requests/{requestId}': ({ caller, params, body }) => {
      groups().handleJoinRequest(caller.userId, params.requestId, body.accept === true, params.id);
    },

    'POST /groups/{id}/transfer': ({ caller, params, body }) => {
      groups().transfer(params.id, caller.userId, body.newOwnerId);
    },
  });
}
