/**
 * Test data for the gRPC suite, created over gRPC itself (AuthService.Register, GroupService.CreateGroup,
 * MessageService.SendMessage): the suite needs no other protocol, and every id is run-scoped.
 */
import * as grpcJs from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { messageContent } from '../../fixtures/content.js';
import type { GrpcClient } from '../../fixtures/grpc.js';
import { fail } from '../../fixtures/failure.js';
import { block, markBroken, requirePrereq, type Prereq } from '../../fixtures/prereq.js';
import { step } from '../../fixtures/prereq-step.js';
import type { Target } from '../../fixtures/target.js';

export { rpcOwner } from '../../fixtures/grpc.js';
import { rpcOwner } from '../../fixtures/grpc.js';

/** A service that did not answer (UNAVAILABLE / DEADLINE_EXCEEDED): owned by GRPC.GR1, which calls every rpc. */
export function servicePrereq(fullService: string): Prereq {
  return { key: `grpc-service:${fullService}`, owner: 'GRPC.GR1', what: `reaching ${fullService}` };
}

const UNREACHABLE = new Set<number>([grpcJs.status.UNAVAILABLE, grpcJs.status.DEADLINE_EXCEEDED]);
export const isUnreachable = (code: number) => UNREACHABLE.has(code);

/**
 * A setup call (users, groups, messages, friendships the check rests on): OK required. The owner check of that rpc
 * judges it (fails); every other check is blocked citing it — or citing GRPC.GR1 when the service does not answer at
 * all — and once broken, later checks needing it are blocked at once.
 */
export async function setupCall<T = any>(grpc: GrpcClient, rpcPath: string, request: Record<string, unknown>): Promise<T> {
  const svc = servicePrereq(rpcPath.split('/')[0]!);
  requirePrereq(svc);
  return step({ key: `grpc:${rpcPath}`, owner: rpcOwner(rpcPath), what: `${rpcPath} (setup)` }, async () => {
    const r = await grpc.call<T>(rpcPath, request);
    if (!r.ok && isUnreachable(r.code)) {
      const reason = `${svc.what} failed: ${rpcPath} answered ${r.status}${r.details ? ` (${r.details})` : ''}`;
      markBroken({ key: svc.key, owner: svc.owner, reason });
      block(reason, svc.owner);
    }
    return grpc.ok<T>(rpcPath, request, r);
  });
}

export interface GrpcUser {
  user_id: string;
  access_token: string;
  refresh_token: string;
  phone: string;
  email: string;
  password: string;
  nickname: string;
  device_id: string;
}

let counter = 0;

export async function registerUser(grpc: GrpcClient, target: Target, label = 'g'): Promise<GrpcUser> {
  const n = `${Date.now() % 1e5}${(counter++ % 100).toString().padStart(2, '0')}${randomBytes(1)[0]! % 10}`.padStart(8, '0').slice(-8);
  const phone = `17${n}${Math.floor(Math.random() * 10)}`;
  // Short (≤ 14 characters, ≤ 16 after UpdateProfile's suffix): the contract sets no limit, real servers do (20).
  const nickname = `${label.slice(0, 2)}${target.runId.slice(0, 4)}${n.slice(-7)}`;
  const email = `g${target.runId}-${n}@example.com`;
  const password = `Pw${randomBytes(4).toString('hex')}9`;
  const device_id = `grpc-dev-${n}`;
  const res = await setupCall(grpc, 'anychat.auth.AuthService/Register', {
    phone_number: phone, email, password, verify_code: target.verifyCode, nickname, device_type: target.deviceType,
    device_id, client_version: target.clientVersion,
  });
  if (!res.user_id || !res.access_token) fail({ message: 'AuthService.Register returned no user_id/access_token', expected: 'non-empty user_id and access_token', observed: res, cite: 'anychat.auth.AuthService/Register' });
  return { user_id: res.user_id, access_token: res.access_token, refresh_token: res.refresh_token, phone, email, password, nickname, device_id };
}

export async function users(grpc: GrpcClient, target: Target, n: number): Promise<GrpcUser[]> {
  const out: GrpcUser[] = [];
  for (let i = 0; i < n; i++) out.push(await registerUser(grpc, target, `u${i}`));
  return out;
}

export async function createGroup(grpc: GrpcClient, owner: GrpcUser, members: GrpcUser[], opts: { join_verify?: boolean; name?: string } = {}): Promise<string> {
  const res = await setupCall(grpc, 'anychat.group.GroupService/CreateGroup', {
    user_id: owner.user_id, name: opts.name ?? `grpc-group-${randomBytes(3).toString('hex')}`, avatar: '',
    member_ids: members.map((m) => m.user_id), join_verify: opts.join_verify ?? false,
  });
  if (!res.group_id) fail({ message: 'CreateGroup returned no group_id', expected: 'non-empty group_id', observed: res, cite: 'anychat.group.GroupService/CreateGroup' });
  return res.group_id;
}

/** Send `text` into a group (content in the run's content format); returns the response and the content sent. */
export async function sendMessage(grpc: GrpcClient, target: Target, sender: GrpcUser, groupId: string, text: string): Promise<{ message_id: string; sequence: number; content: string }> {
  const content = messageContent(target, text);
  const r = await setupCall(grpc, 'anychat.message.MessageService/SendMessage', {
    sender_id: sender.user_id, conversation_id: groupId, conversation_type: 'group', content_type: 'text', content,
    local_id: `grpc-${randomBytes(4).toString('hex')}`,
  });
  return { ...r, content };
}

export async function friends(grpc: GrpcClient, a: GrpcUser, b: GrpcUser): Promise<void> {
  const sent = await setupCall(grpc, 'anychat.friend.FriendService/SendFriendRequest', { from_user_id: a.user_id, to_user_id: b.user_id, message: 'hi', source: 'search' });
  if (!sent.auto_accepted) {
    await setupCall(grpc, 'anychat.friend.FriendService/HandleFriendRequest', { user_id: b.user_id, request_id: sent.request_id, action: 'accept' });
  }
}

/** A proto Timestamp that is set (non-zero), as decoded by proto-loader ({seconds, nanos}, int64 as number). */
export function timestampSet(ts: any): boolean {
  return !!ts && (Number(ts.seconds) > 0 || Number(ts.nanos) > 0);
}
