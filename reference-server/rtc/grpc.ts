import type { ServerContext } from '../context.js';
import { requiredString } from '../grpc/args.js';
import type { RpcHandlers } from '../grpc/host.js';
import type { CallSession, CallStatus, CallType, MeetingRoom, MeetingStatus } from './domain.js';

/** anychat.rtc.RTCService: identity from the request (caller_id / user_id / creator_id); enums as proto value names. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const rtc = () => ctx.domains.rtc;
  const handlers: RpcHandlers = {
    InitiateCall: (r) => {
      const res = rtc().initiateCall(required(r, 'caller_id'), { calleeId: r.callee_id, callType: callTypeIn(r.call_type) });
      return { call_id: res.callId, room_name: res.roomName, token: res.token };
    },
    JoinCall: (r) => {
      const res = rtc().joinCall(required(r, 'user_id'), required(r, 'call_id'));
      return { room_name: res.roomName, token: res.token };
    },
    RejectCall: (r) => {
      rtc().rejectCall(required(r, 'user_id'), required(r, 'call_id'));
      return {};
    },
    EndCall: (r) => {
      rtc().endCall(required(r, 'user_id'), required(r, 'call_id'));
      return {};
    },
    GetCallSession: (r) => {
      const call = callToProto(rtc().getCallSession(required(r, 'user_id'), required(r, 'call_id')));
      return ctx.faults.on('grpc.call-status-stale') ? { ...call, status: 'CALL_STATUS_RINGING' } : call;
    },
    ListCallLogs: (r) => {
      const res = rtc().listCallLogs(required(r, 'user_id'), r.page || undefined, r.page_size || undefined);
      return { sessions: res.sessions.map(callToProto), total: res.total };
    },
    CreateMeeting: async (r) => {
      const res = await rtc().createMeeting(required(r, 'creator_id'), {
        title: r.title,
        password: r.password || undefined,
        maxParticipants: r.max_participants ?? 0,
      });
      return { meeting: meetingToProto(res.meeting), token: res.token };
    },
    JoinMeeting: async (r) => {
      const res = await rtc().joinMeeting(required(r, 'user_id'), required(r, 'room_id'), r.password ?? '');
      return { meeting: meetingToProto(res.meeting), token: res.token };
    },
    EndMeeting: (r) => {
      rtc().endMeeting(required(r, 'creator_id'), required(r, 'room_id'));
      return {};
    },
    GetMeeting: (r) => meetingToProto(rtc().getMeeting(required(r, 'room_id'))),
    ListMeetings: (r) => {
      const res = rtc().listMeetings(r.page || undefined, r.page_size || undefined);
      return { meetings: res.meetings.map(meetingToProto), total: res.total };
    },
  };
  return { name: 'anychat.rtc.RTCService', handlers };
}

const CALL_TYPE: Record<CallType, string> = { audio: 'CALL_TYPE_AUDIO', video: 'CALL_TYPE_VIDEO' };
const CALL_STATUS: Record<CallStatus, string> = {
  ringing: 'CALL_STATUS_RINGING',
  connected: 'CALL_STATUS_CONNECTED',
  ended: 'CALL_STATUS_ENDED',
  rejected: 'CALL_STATUS_REJECTED',
  missed: 'CALL_STATUS_MISSED',
  cancelled: 'CALL_STATUS_CANCELLED',
};
const MEETING_STATUS: Record<MeetingStatus, string> = { active: 'MEETING_STATUS_ACTIVE', ended: 'MEETING_STATUS_ENDED' };

const required = (r: any, field: string) => requiredString(r, field, 'rtc');

/** proto-loader gives enum value names (enums: String); an unknown number arrives as a number. */
function callTypeIn(v: unknown): unknown {
  if (v === 'CALL_TYPE_VIDEO' || v === 1) return 'video';
  if (v === 'CALL_TYPE_AUDIO' || v === 0 || v === undefined || v === null || v === '') return 'audio';
  return String(v);
}

export function callToProto(c: CallSession): Record<string, unknown> {
  return {
    call_id: c.callId,
    caller_id: c.callerId,
    callee_id: c.calleeId,
    call_type: CALL_TYPE[c.callType],
    status: CALL_STATUS[c.status],
    room_name: c.roomName,
    started_at: c.startedAt,
    connected_at: c.connectedAt,
    ended_at: c.endedAt,
    duration: c.duration,
    created_at: c.createdAt,
  };
}

export function meetingToProto(m: MeetingRoom): Record<string, unknown> {
  return {
    room_id: m.roomId,
    creator_id: m.creatorId,
    title: m.title,
    room_name: m.roomName,
    has_password: m.hasPassword,
    max_participants: m.maxParticipants,
    status: MEETING_STATUS[m.status],
    started_at: m.startedAt,
    ended_at: m.endedAt,
    created_at: m.createdAt,
  };
}
