/**
 * RTC service rules (1:1 calls and meeting rooms), shared by REST (rtc/http.ts) and gRPC (rtc/grpc.ts).
 *
 * Decisions (contract-notes I1, I5, I26; copy into the server README):
 * - REST emits enums as lowercase strings: callType 'audio'|'video'; call status 'ringing'|'connected'|'ended'|'rejected'|
 *   'missed'|'cancelled'; meeting status 'active'|'ended'. gRPC uses the proto enum names (CALL_TYPE_VIDEO, CALL_STATUS_RINGING…).
 *   Input callType is case-insensitive, default 'audio'.
 * - Times (startedAt, connectedAt, endedAt, createdAt) are int Unix seconds as rtc.proto says; an unset time is 0
 *   (never null), duration is whole seconds (0 unless the call was connected).
 * - Call state machine: initiate → ringing (startedAt = createdAt). Callee join → connected. Callee reject → rejected.
 *   end: caller while ringing → cancelled; callee while ringing → rejected (same as reject); connected → ended with duration.
 *   A ringing call not answered within 60 s becomes missed. end on a finished call and reject on a rejected call succeed
 *   without change (both parties may hang up at once).
 * - Only the statuses each op declares are used: GET/join/reject/end on a call you are not a party of → 404 (GET declares
 *   no 403); join by the caller or of a call that is not ringing → 400; reject of a call that is no longer ringing → 404
 *   (reject declares no 400). POST /rtc/calls: callee = caller or unknown callee → 400 naming calleeId (404 is not declared).
 *   List endpoints declare no 400, so out-of-range page/pageSize are clamped (page ≥ 1, 1 ≤ pageSize ≤ 100, default 1/20).
 * - Meetings: anyone signed in can list (active only, newest first) and read a meeting. join: unknown → 404; ended → 400;
 *   password set and missing/wrong → 403; full (distinct joiners incl. the creator ≥ maxParticipants > 0) → 400;
 *   joining again is idempotent. end: creator only (else 403); ending an ended meeting succeeds without change.
 * - Tokens are LiveKit-style HS256 JWTs {iss:'anychat-reference', sub, name, video:{room, roomJoin:true}, iat, nbf, exp}
 *   (rtc/token.ts), valid 2 h, signed with a key derived from the server secret.
 * - Notifications: `livekit.call_invite` {callId, callerId, callType, roomName} to the callee; `livekit.call_status`
 *   {callId, status} to both parties on join (connected), end (ended/cancelled) and timeout (missed);
 *   `livekit.call_rejected` {callId, calleeId} to the caller.
 */
import type { ServerContext } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { newId, nowSec } from '../ids.js';
import { signRtcToken } from './token.js';
import { findUser } from './users.js';
import { pageOffset } from '../store/paging.js';

export const CALL_TYPES = ['audio', 'video'] as const;
export type CallType = (typeof CALL_TYPES)[number];
export const CALL_STATUSES = ['ringing', 'connected', 'ended', 'rejected', 'missed', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const MEETING_STATUSES = ['active', 'ended'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const RING_TIMEOUT_SEC = 60;
const MAX_TITLE = 100;
const MAX_PASSWORD = 64;
const MAX_PARTICIPANTS = 10_000;

export interface CallSession {
  callId: string;
  callerId: string;
  calleeId: string;
  callType: CallType;
  status: CallStatus;
  roomName: string;
  startedAt: number;
  connectedAt: number;
  endedAt: number;
  duration: number;
  createdAt: number;
}

export interface MeetingRoom {
  roomId: string;
  creatorId: string;
  title: string;
  roomName: string;
  hasPassword: boolean;
  maxParticipants: number;
  status: MeetingStatus;
  startedAt: number;
  endedAt: number;
  createdAt: number;
}

interface CallRow {
  call_id: string;
  caller_id: string;
  callee_id: string;
  call_type: CallType;
  status: CallStatus;
  room_name: string;
  started_at: number;
  connected_at: number;
  ended_at: number;
  duration: number;
  created_at: number;
}

interface MeetingRow {
  room_id: string;
  creator_id: string;
  title: string;
  room_name: string;
  password_hash: string | null;
  max_participants: number;
  status: MeetingStatus;
  started_at: number;
  ended_at: number;
  created_at: number;
}

export class RtcDomain {
  constructor(readonly ctx: ServerContext) {
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS rtc_calls (
        call_id TEXT PRIMARY KEY,
        caller_id TEXT NOT NULL,
        callee_id TEXT NOT NULL,
        call_type TEXT NOT NULL,
        status TEXT NOT NULL,
        room_name TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        connected_at INTEGER NOT NULL DEFAULT 0,
        ended_at INTEGER NOT NULL DEFAULT 0,
        duration INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS rtc_calls_by_caller ON rtc_calls (caller_id, created_at);
      CREATE INDEX IF NOT EXISTS rtc_calls_by_callee ON rtc_calls (callee_id, created_at);
      CREATE TABLE IF NOT EXISTS rtc_meetings (
        room_id TEXT PRIMARY KEY,
        creator_id TEXT NOT NULL,
        title TEXT NOT NULL,
        room_name TEXT NOT NULL,
        password_hash TEXT,
        max_participants INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS rtc_meetings_by_status ON rtc_meetings (status, created_at);
      CREATE TABLE IF NOT EXISTS rtc_meeting_participants (
        room_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id)
      );
    `);
  }

  // ---- calls ----

  initiateCall(callerId: string, input: { calleeId: unknown; callType?: unknown }): { callId: string; roomName: string; token: string } {
    const { calleeId } = input;
    if (typeof calleeId !== 'string' || calleeId === '') throw badRequest('rtc', "invalid field 'calleeId': a user id is required", 'calleeId');
    const callType = parseCallType(input.callType);
    if (calleeId === callerId) throw badRequest('rtc', "invalid field 'calleeId': you cannot call yourself", 'calleeId');
    const caller = this.requireUser(callerId, 'callerId');
    if (!findUser(this.ctx, calleeId)) throw badRequest('rtc', `invalid field 'calleeId': user ${calleeId} does not exist`, 'calleeId');
    const callId = newId('call');
    const roomName = `rtc-${callId}`;
    const now = nowSec();
    this.ctx.db
      .prepare(`INSERT INTO rtc_calls (call_id, caller_id, callee_id, call_type, status, room_name, started_at, created_at)
                VALUES (?, ?, ?, ?, 'ringing', ?, ?, ?)`)
      .run(callId, callerId, calleeId, callType, roomName, now, now);
    setTimeout(() => {
      try {
        this.expireRinging(callId);
      } catch {
        // The store may be closing; a later read resolves the call lazily.
      }
    }, RING_TIMEOUT_SEC * 1000 + 500).unref();
    this.ctx.bus.notify([calleeId], 'livekit.call_invite', { callId, callerId, callType, roomName });
    return { callId, roomName, token: signRtcToken(this.ctx.config.jwtSecret, callerId, caller.nickname, roomName, now) };
  }

  joinCall(userId: string, callId: string): { roomName: string; token: string } {
    const row = this.partyCall(userId, callId);
    if (row.callee_id !== userId) throw badRequest('rtc', `only the callee can join call ${callId}`, 'callId');
    if (row.status !== 'ringing') throw badRequest('rtc', `call ${callId} is ${row.status}, not ringing`, 'callId');
    const now = nowSec();
    this.ctx.db.prepare(`UPDATE rtc_calls SET status = 'connected', connected_at = ? WHERE call_id = ?`).run(now, callId);
    this.ctx.bus.notify([row.caller_id, row.callee_id], 'livekit.call_status', { callId, status: 'connected' });
    const name = findUser(this.ctx, userId)?.nickname ?? userId;
    return { roomName: row.room_name, token: signRtcToken(this.ctx.config.jwtSecret, userId, name, row.room_name, now) };
  }

  rejectCall(userId: string, callId: string): void {
    const row = this.partyCall(userId, callId);
    if (row.callee_id !== userId) throw notFound('rtc', `no incoming call ${callId} for this user`, 'callId');
    if (row.status === 'rejected') return;
    if (row.status !== 'ringing') throw notFound('rtc', `no ringing call ${callId}: it is ${row.status}`, 'callId');
    this.finishRinging(row, 'rejected');
  }

  endCall(userId: string, callId: string): void {
    const row = this.partyCall(userId, callId);
    if (row.status === 'ringing') {
      this.finishRinging(row, row.caller_id === userId ? 'cancelled' : 'rejected');
    } else if (row.status === 'connected') {
      const now = nowSec();
      this.ctx.db
        .prepare(`UPDATE rtc_calls SET status = 'ended', ended_at = ?, duration = ? WHERE call_id = ?`)
        .run(now, Math.max(0, now - row.connected_at), callId);
      this.ctx.bus.notify([row.caller_id, row.callee_id], 'livekit.call_status', { callId, status: 'ended' });
    }
    // Already finished: hanging up again changes nothing.
  }

  getCallSession(userId: string, callId: string): CallSession {
    return toCall(this.partyCall(userId, callId));
  }

  listCallLogs(userId: string, page?: number, pageSize?: number): { sessions: CallSession[]; total: number } {
    const p = clampPage(page, pageSize);
    // Fault: the page product goes to SQLite unchecked, so a page near int64 max fails the query (HTTP 500).
    if (this.ctx.faults.on('rest.5xx-on-boundary')) p.offset = (Math.max(1, page ?? 1) - 1) * p.pageSize;
    this.expireOverdue(userId);
    const total = (this.ctx.db
      .prepare('SELECT COUNT(*) AS n FROM rtc_calls WHERE caller_id = ? OR callee_id = ?')
      .get(userId, userId) as { n: number }).n;
    const rows = this.ctx.db
      .prepare('SELECT * FROM rtc_calls WHERE caller_id = ? OR callee_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?')
      .all(userId, userId, p.pageSize, p.offset) as CallRow[];
    return { sessions: rows.map(toCall), total };
  }

  // ---- meetings ----

  async createMeeting(creatorId: string, input: { title: unknown; password?: unknown; maxParticipants?: unknown }): Promise<{ meeting: MeetingRoom; token: string }> {
    const { title, password, maxParticipants } = input;
    if (typeof title !== 'string' || title.trim() === '') throw badRequest('rtc', "invalid field 'title': a non-empty string is required", 'title');
    if (title.length > MAX_TITLE) throw badRequest('rtc', `invalid field 'title': at most ${MAX_TITLE} characters`, 'title');
    if (password !== undefined && password !== null && (typeof password !== 'string' || password.length > MAX_PASSWORD)) {
      throw badRequest('rtc', `invalid field 'password': a string of at most ${MAX_PASSWORD} characters is expected`, 'password');
    }
    const max = maxParticipants ?? 0;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_PARTICIPANTS) {
      throw badRequest('rtc', `invalid field 'maxParticipants': an integer between 0 (unlimited) and ${MAX_PARTICIPANTS} is expected`, 'maxParticipants');
    }
    const creator = this.requireUser(creatorId, 'creatorId');
    const roomId = newId('room');
    const roomName = `meeting-${roomId}`;
    const now = nowSec();
    const hash = typeof password === 'string' && password !== '' ? await hashPassword(password) : null;
    this.ctx.db.transaction(() => {
      this.ctx.db
        .prepare(`INSERT INTO rtc_meetings (room_id, creator_id, title, room_name, password_hash, max_participants, status, started_at, created_at)
                  VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`)
        .run(roomId, creatorId, title, roomName, hash, max, now, now);
      this.ctx.db.prepare('INSERT INTO rtc_meeting_participants (room_id, user_id, joined_at) VALUES (?, ?, ?)').run(roomId, creatorId, now);
    })();
    return { meeting: this.getMeeting(roomId), token: signRtcToken(this.ctx.config.jwtSecret, creatorId, creator.nickname, roomName, now) };
  }

  async joinMeeting(userId: string, roomId: string, password: unknown): Promise<{ meeting: MeetingRoom; token: string }> {
    const row = this.meetingRow(roomId);
    if (row.status !== 'active') throw badRequest('rtc', `meeting ${roomId} has ended`, 'roomId');
    if (row.password_hash !== null && (typeof password !== 'string' || !(await verifyPassword(password, row.password_hash)))) {
      throw forbidden('rtc', 'wrong meeting password', 'password');
    }
    const user = this.requireUser(userId, 'userId');
    const now = nowSec();
    this.ctx.db.transaction(() => {
      const joined = this.ctx.db.prepare('SELECT 1 FROM rtc_meeting_participants WHERE room_id = ? AND user_id = ?').get(roomId, userId);
      if (joined) return;
      if (row.max_participants > 0) {
        const n = (this.ctx.db.prepare('SELECT COUNT(*) AS n FROM rtc_meeting_participants WHERE room_id = ?').get(roomId) as { n: number }).n;
        if (n >= row.max_participants) throw badRequest('rtc', `meeting ${roomId} is full (${row.max_participants} participants)`, 'roomId');
      }
      this.ctx.db.prepare('INSERT INTO rtc_meeting_participants (room_id, user_id, joined_at) VALUES (?, ?, ?)').run(roomId, userId, now);
    })();
    return { meeting: toMeeting(row), token: signRtcToken(this.ctx.config.jwtSecret, userId, user.nickname, row.room_name, now) };
  }

  endMeeting(userId: string, roomId: string): void {
    const row = this.meetingRow(roomId);
    if (row.creator_id !== userId) throw forbidden('rtc', `only the creator can end meeting ${roomId}`, 'roomId');
    if (row.status === 'ended') return;
    this.ctx.db.prepare(`UPDATE rtc_meetings SET status = 'ended', ended_at = ? WHERE room_id = ?`).run(nowSec(), roomId);
  }

  getMeeting(roomId: string): MeetingRoom {
    return toMeeting(this.meetingRow(roomId));
  }

  listMeetings(page?: number, pageSize?: number): { meetings: MeetingRoom[]; total: number } {
    const p = clampPage(page, pageSize);
    const total = (this.ctx.db.prepare(`SELECT COUNT(*) AS n FROM rtc_meetings WHERE status = 'active'`).get() as { n: number }).n;
    const rows = this.ctx.db
      .prepare(`SELECT * FROM rtc_meetings WHERE status = 'active' ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(p.pageSize, p.offset) as MeetingRow[];
    return { meetings: rows.map(toMeeting), total };
  }

  // ---- internals ----

  private requireUser(userId: string, field: string): { userId: string; nickname: string } {
    const user = findUser(this.ctx, userId);
    if (!user) throw badRequest('rtc', `user ${userId} does not exist`, field);
    return user;
  }

  /** The call, if `userId` is one of its parties (404 otherwise), with an overdue ringing state resolved to missed. */
  private partyCall(userId: string, callId: string): CallRow {
    this.expireRinging(callId);
    const row = this.ctx.db.prepare('SELECT * FROM rtc_calls WHERE call_id = ?').get(callId) as CallRow | undefined;
    if (!row || (row.caller_id !== userId && row.callee_id !== userId)) throw notFound('rtc', `call ${callId} not found`, 'callId');
    return row;
  }

  private finishRinging(row: CallRow, status: 'rejected' | 'cancelled' | 'missed', endedAt = nowSec()): void {
    const changed = this.ctx.db
      .prepare(`UPDATE rtc_calls SET status = ?, ended_at = ? WHERE call_id = ? AND status = 'ringing'`)
      .run(status, endedAt, row.call_id).changes;
    if (changed === 0) return;
    if (status === 'rejected') {
      this.ctx.bus.notify([row.caller_id], 'livekit.call_rejected', { callId: row.call_id, calleeId: row.callee_id });
    } else {
      this.ctx.bus.notify([row.caller_id, row.callee_id], 'livekit.call_status', { callId: row.call_id, status });
    }
  }

  /** A ringing call unanswered for RING_TIMEOUT_SEC becomes missed (run by a timer, and lazily on every read). */
  private expireRinging(callId: string): void {
    if (!this.ctx.db.open) return;
    const row = this.ctx.db.prepare(`SELECT * FROM rtc_calls WHERE call_id = ? AND status = 'ringing'`).get(callId) as CallRow | undefined;
    if (row && row.created_at + RING_TIMEOUT_SEC <= nowSec()) this.finishRinging(row, 'missed', row.created_at + RING_TIMEOUT_SEC);
  }

  private expireOverdue(userId: string): void {
    const overdue = this.ctx.db
      .prepare(`SELECT call_id FROM rtc_calls WHERE status = 'ringing' AND created_at <= ? AND (caller_id = ? OR callee_id = ?)`)
      .all(nowSec() - RING_TIMEOUT_SEC, userId, userId) as { call_id: string }[];
    for (const { call_id } of overdue) this.expireRinging(call_id);
  }

  private meetingRow(roomId: string): MeetingRow {
    const row = this.ctx.db.prepare('SELECT * FROM rtc_meetings WHERE room_id = ?').get(roomId) as MeetingRow | undefined;
    if (!row) throw notFound('rtc', `meeting ${roomId} not found`, 'roomId');
    return row;
  }
}

function parseCallType(v: unknown): CallType {
  if (v === undefined || v === null || v === '') return 'audio';
  const t = typeof v === 'string' ? v.toLowerCase() : v;
  if (t !== 'audio' && t !== 'video') throw badRequest('rtc', "invalid field 'callType': 'audio' or 'video' expected", 'callType');
  return t;
}

function clampPage(page?: number, pageSize?: number): { pageSize: number; offset: number } {
  const p = Number.isInteger(page) && page! >= 1 ? page! : 1;
  const size = Number.isInteger(pageSize) && pageSize! >= 1 ? Math.min(pageSize!, 100) : 20;
  return { pageSize: size, offset: pageOffset(p, size) };
}


function toCall(r: CallRow): CallSession {
  return {
    callId: r.call_id,
    callerId: r.caller_id,
    calleeId: r.callee_id,
    callType: r.call_type,
    status: r.status,
    roomName: r.room_name,
    startedAt: r.started_at,
    connectedAt: r.connected_at,
    endedAt: r.ended_at,
    duration: r.duration,
    createdAt: r.created_at,
  };
}

function toMeeting(r: MeetingRow): MeetingRoom {
  return {
    roomId: r.room_id,
    creatorId: r.creator_id,
    title: r.title,
    roomName: r.room_name,
    hasPassword: r.password_hash !== null,
    maxParticipants: r.max_participants,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    createdAt: r.created_at,
  };
}
