import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { contractRoutes } from '../http/routes.js';

/** REST routes of the rtc area (11 contract ops); bare-envelope ops (reject, end) return no data. */
export default async function rtcHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const rtc = () => ctx.domains.rtc;
  contractRoutes(app, ctx, {
    'POST /rtc/calls': ({ caller, body }) => rtc().initiateCall(caller.userId, { calleeId: body.calleeId, callType: body.callType }),
    'GET /rtc/calls': ({ caller, query }) => rtc().listCallLogs(caller.userId, query.page, query.pageSize),
    'GET /rtc/calls/{callId}': ({ caller, params }) => rtc().getCallSession(caller.userId, params.callId),
    'POST /rtc/calls/{callId}/join': ({ caller, params }) => rtc().joinCall(caller.userId, params.callId),
    'POST /rtc/calls/{callId}/reject': ({ caller, params }) => {
      rtc().rejectCall(caller.userId, params.callId);
    },
    'POST /rtc/calls/{callId}/end': ({ caller, params }) => {
      rtc().endCall(caller.userId, params.callId);
    },
    'POST /rtc/meetings': ({ caller, body }) =>
      rtc().createMeeting(caller.userId, { title: body.title, password: body.password, maxParticipants: body.maxParticipants }),
    'GET /rtc/meetings': ({ query }) => rtc().listMeetings(query.page, query.pageSize),
    'GET /rtc/meetings/{roomId}': ({ params }) => rtc().getMeeting(params.roomId),
    'POST /rtc/meetings/{roomId}/join': ({ caller, params, body }) => rtc().joinMeeting(caller.userId, params.roomId, body?.password),
    'POST /rtc/meetings/{roomId}/end': ({ caller, params }) => {
      rtc().endMeeting(caller.userId, params.roomId);
    },
  });
}
