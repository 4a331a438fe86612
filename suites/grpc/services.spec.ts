import { test } from '@playwright/test';
import * as grpc from '@grpc/grpc-js';
import { fail } from '../../fixtures/failure.js';
import { check } from '../check.js';
import { block, markBroken } from '../../fixtures/prereq.js';
import { reflectServices } from './reflection.js';
import { isUnreachable, rpcOwner, servicePrereq } from './world.js';

/** GR1 (MUST): every rpc of every contract service exists at /<package>.<Service>/<Rpc> — any status but UNIMPLEMENTED. */
check({
  id: 'GRPC.GR1', level: 'MUST', cites: 'proto/**: service blocks (89 rpcs)',
  title: 'every contract rpc exists on the target (no UNIMPLEMENTED)',
}, async ({ grpc: client, contracts }) => {
  test.skip(client.unavailable() !== null, client.unavailable() ?? '');
  const missing: string[] = [];
  const unreachable: string[] = [];
  const down = new Set<string>();
  for (const rpc of contracts.catalogue.rpcs) {
    if (!client.address(rpc.fullService)) continue;
    // A service that did not answer once is not called again (one deadline per service, not per rpc).
    if (down.has(rpc.fullService)) {
      unreachable.push(`${rpc.cite} (not called: ${rpc.fullService} is unreachable)`);
      continue;
    }
    const r = await client.call(rpc.path, {});
    if (r.code === grpc.status.UNIMPLEMENTED) missing.push(rpc.cite);
    if (isUnreachable(r.code)) {
      unreachable.push(`${rpc.cite} (${r.status})`);
      down.add(rpc.fullService);
      const p = servicePrereq(rpc.fullService);
      markBroken({ key: p.key, owner: p.owner, reason: `${p.what} failed: ${rpc.path} answered ${r.status}${r.details ? ` (${r.details})` : ''}` });
    }
  }
  if (missing.length || unreachable.length) {
    fail({
      message: `${missing.length} rpc(s) UNIMPLEMENTED, ${unreachable.length} unreachable`,
      expected: 'every rpc answers with any status but UNIMPLEMENTED',
      observed: [...missing.map((m) => `UNIMPLEMENTED ${m}`), ...unreachable],
      cite: missing[0] ?? unreachable[0],
    });
  }
});

const UNKNOWN_ID_CALLS: Array<[rpc: string, request: Record<string, unknown>]> = [
  ['anychat.user.UserService/GetProfile', { user_id: 'no-such-user-0000' }],
  ['anychat.group.GroupService/GetGroupInfo', { group_id: 'no-such-group-0000' }],
  ['anychat.message.MessageService/GetMessageById', { message_id: 'no-such-message-0000' }],
  ['file.FileService/GetFileInfo', { file_id: 'no-such-file-0000', user_id: 'no-such-user-0000' }],
  ['anychat.rtc.RTCService/GetCallSession', { call_id: 'no-such-call-0000', user_id: 'no-such-user-0000' }],
  ['anychat.rtc.RTCService/GetMeeting', { room_id: 'no-such-room-0000' }],
];

const SERVER_ERRORS = new Set<number>([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS]);

check({
  id: 'GRPC.ERR1', level: 'SHOULD', cites: UNKNOWN_ID_CALLS.map(([r]) => r),
  title: 'unknown ids answer NOT_FOUND, not OK with an empty message',
}, async ({ grpc: client, recorder }) => {
  test.skip(client.unavailable() !== null, client.unavailable() ?? '');
  const wrong: string[] = [];
  const serverErrors: string[] = [];
  for (const [rpc, req] of UNKNOWN_ID_CALLS) {
    const r = await client.call(rpc, req);
    // A server-side error is the rpc failing as such (its own check, GRPC.<Service>.<Rpc>, sends a valid request and
    // owns that): it says nothing about how unknown ids are answered.
    if (SERVER_ERRORS.has(r.code)) serverErrors.push(`${rpc}: ${r.status}`);
    else if (r.code !== grpc.status.NOT_FOUND) wrong.push(`${rpc}: ${r.status}${r.ok ? ` ${JSON.stringify(r.response).slice(0, 120)}` : ''}`);
  }
  if (serverErrors.length) recorder.warn(`not judged (a server error, owned by each rpc's own check): ${serverErrors.join('; ')}`);
  if (serverErrors.length === UNKNOWN_ID_CALLS.length) block(`every rpc answered a server error: ${serverErrors.join('; ')}`, rpcOwner(UNKNOWN_ID_CALLS[0]![0]));
  if (wrong.length) fail({ message: 'unknown ids did not answer NOT_FOUND', expected: 'NOT_FOUND', observed: wrong, cite: UNKNOWN_ID_CALLS[0]![0] });
});

const INVALID_CALLS: Array<[rpc: string, request: Record<string, unknown>]> = [
  ['anychat.auth.AuthService/Register', { password: 'x' }],
  ['anychat.group.GroupService/CreateGroup', { user_id: '', name: '', member_ids: [] }],
  ['anychat.message.MessageService/SendMessage', { sender_id: '', conversation_id: '', content: '' }],
  ['file.FileService/GenerateUploadToken', { user_id: '', file_name: '', file_size: -1 }],
];

check({
  id: 'GRPC.ERR2', level: 'SHOULD', cites: INVALID_CALLS.map(([r]) => r),
  title: 'invalid arguments answer INVALID_ARGUMENT (or another error), never OK',
}, async ({ grpc: client }) => {
  test.skip(client.unavailable() !== null, client.unavailable() ?? '');
  const accepted: string[] = [];
  const other: string[] = [];
  for (const [rpc, req] of INVALID_CALLS) {
    const r = await client.call(rpc, req);
    if (r.ok) accepted.push(`${rpc} answered OK`);
    else if (r.code !== grpc.status.INVALID_ARGUMENT && r.code !== grpc.status.NOT_FOUND && r.code !== grpc.status.FAILED_PRECONDITION) other.push(`${rpc}: ${r.status}`);
  }
  if (accepted.length || other.length) fail({ message: 'invalid requests were not rejected as invalid', expected: 'INVALID_ARGUMENT', observed: [...accepted, ...other], cite: INVALID_CALLS[0]![0] });
});

check({
  id: 'GRPC.REFLECT1', level: 'MAY', cites: 'proto/**: services, methods and message fields',
  title: 'server reflection (when offered) matches the contract: services, methods, fields',
}, async ({ grpc: client, contracts, target }) => {
  test.skip(client.unavailable() !== null, client.unavailable() ?? '');
  const addr = client.address('anychat.auth.AuthService')!;
  const reflected = await reflectServices(addr, target.timeoutMs);
  test.skip(reflected === null, 'the target offers no server reflection');
  const drift: string[] = [];
  for (const svc of contracts.catalogue.services) {
    const methods = reflected!.services.get(svc);
    if (!methods) {
      drift.push(`service ${svc} missing from reflection`);
      continue;
    }
    for (const rpc of contracts.catalogue.rpcs.filter((r) => r.fullService === svc)) {
      const m = methods.get(rpc.name);
      if (!m) drift.push(`${rpc.cite} missing`);
      else if (m.input !== rpc.requestType || m.output !== rpc.responseType) drift.push(`${rpc.cite}: ${m.input} → ${m.output} (contract: ${rpc.requestType} → ${rpc.responseType})`);
    }
  }
  for (const name of contracts.catalogue.protoMessages) {
    const fields = reflected!.messages.get(name);
    if (!fields) continue;
    const type = contracts.bundle.protoRoot.lookupType(name);
    for (const f of type.fieldsArray) {
      const r = fields.get(f.name);
      if (!r) drift.push(`${name}.${f.name} missing`);
      else if (r !== f.id) drift.push(`${name}.${f.name} has number ${r} (contract: ${f.id})`);
    }
  }
  if (drift.length) fail({ message: `${drift.length} difference(s) between the reflected schema and the contract`, expected: 'the contract protos', observed: drift.slice(0, 40), cite: contracts.catalogue.services[0] });
});
