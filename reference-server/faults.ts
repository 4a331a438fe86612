/**
 * The fault catalogue: realistic, switchable nonconformance that the harness must catch (issue 8).
 * Adapters and domain code consult `ctx.faults.on(id)` at one named point each; no fault changes behaviour when off.
 * `catches` lists the check ids expected among the failures when the fault is on; `suites` the suites that can see it.
 */
export interface FaultDef {
  id: string;
  protocol: 'rest' | 'auth' | 'ws' | 'ordering' | 'grpc' | 'durability';
  description: string;
  catches: string[];
  suites: string[];
  /**
   * Behaviour of real servers that the contract allows or leaves open (dialect profile), not a violation: the harness
   * must tolerate it, so none of `catches` may fail — they are the checks that read through it (and pass) or that end
   * blocked with a reason.
   */
  tolerated?: boolean;
  /** Profile the self-test runs it in (default lenient): e.g. snake_case keys are a lenient warning, a strict failure. */
  strict?: boolean;
}

export const FAULTS: FaultDef[] = [
  // REST envelope, status and schema
  { id: 'rest.wrong-status', protocol: 'rest', description: 'POST /groups answers HTTP 201 instead of the declared 200', catches: ['REST.HG2'], suites: ['rest'] },
  { id: 'rest.code-zero-on-error', protocol: 'rest', description: 'error envelopes carry code 0', catches: ['REST.HG1'], suites: ['rest'] },
  { id: 'rest.envelope-no-message', protocol: 'rest', description: 'the envelope `message` field is dropped from every response', catches: ['REST.HG1'], suites: ['rest'] },
  { id: 'rest.typed-wrong-type', protocol: 'rest', description: 'GroupResponse.memberCount is sent as a string', catches: ['REST.HG3'], suites: ['rest'] },
  { id: 'rest.required-dropped', protocol: 'rest', description: 'AuthResponse.refreshToken is dropped on login', catches: ['REST.A3'], suites: ['rest'] },
  { id: 'rest.snake-case', protocol: 'rest', description: 'GET /sessions and GET /friends emit snake_case keys (a lenient warning, a strict failure)', catches: ['REST.HG4'], suites: ['rest'], strict: true },
  { id: 'rest.timestamp-format', protocol: 'rest', description: 'UserProfile.createdAt is "YYYY/MM/DD hh:mm:ss", not RFC 3339', catches: ['REST.HG16'], suites: ['rest'] },
  { id: 'rest.5xx-on-invalid', protocol: 'rest', description: 'POST /groups with a non-array memberIds crashes with HTTP 500', catches: ['REST.NEG1'], suites: ['rest'] },
  { id: 'rest.invalid-accepted', protocol: 'rest', description: 'POST /groups skips contract validation of its body: wrong-typed fields are accepted', catches: ['REST.NEG1'], suites: ['rest'] },
  { id: 'rest.pagination-ignored', protocol: 'rest', description: 'GET /users/search ignores pageSize and its default', catches: ['REST.HG14'], suites: ['rest'] },
  { id: 'rest.stale-read', protocol: 'rest', description: 'GET /users/me serves a profile cached before the last PUT', catches: ['REST.U1'], suites: ['rest'] },
  { id: 'rest.404-as-200', protocol: 'rest', description: 'unknown group ids answer 200 with empty data', catches: ['REST.HG13'], suites: ['rest'] },
  { id: 'rest.5xx-on-boundary', protocol: 'rest', description: 'GET /rtc/calls with a page near the int64 limit fails with HTTP 500 (the page offset overflows)', catches: ['REST.COV.NO5XX'], suites: ['rest'] },
  { id: 'rest.lax-query', protocol: 'rest', description: 'query parameters are read laxly: an empty or non-integer value means the default, a repeated one keeps its last value, no int64 range', catches: ['REST.COV.REJECT'], suites: ['rest'] },
  { id: 'rest.framework-error-raw', protocol: 'rest', description: 'router and framework errors (path too long, malformed JSON, wrong content type, body too large) use Fastify\'s own body, not the envelope', catches: ['REST.COV.ENVELOPE'], suites: ['rest'] },
  { id: 'rest.404-undeclared-method', protocol: 'rest', description: 'a method the contract does not declare on a contract path answers 404 instead of 405 with Allow', catches: ['REST.COV.405'], suites: ['rest'] },
  { id: 'rest.empty-json-400', protocol: 'rest', description: 'an empty body sent with Content-Type: application/json (as SDKs do on bodiless calls) is rejected with 400', catches: ['REST.SDK.BODYLESS-JSON'], suites: ['rest'] },
  // Authentication and authorization
  { id: 'auth.header-ignored-friends', protocol: 'auth', description: 'the friends area ignores the Authorization header', catches: ['SEC.1'], suites: ['security'] },
  { id: 'auth.expired-accepted', protocol: 'auth', description: 'expired access tokens are accepted', catches: ['SEC.4'], suites: ['security'] },
  { id: 'auth.alg-none', protocol: 'auth', description: 'tokens with alg "none" and no signature are accepted', catches: ['SEC.5'], suites: ['security'] },
  { id: 'auth.refresh-as-access', protocol: 'auth', description: 'a refresh token is accepted as an access token', catches: ['SEC.6'], suites: ['security'] },
  { id: 'auth.logout-not-revoking', protocol: 'auth', description: 'logout revokes nothing', catches: ['REST.A8'], suites: ['rest'] },
  { id: 'authz.files-cross-user', protocol: 'auth', description: 'any user can read any file\'s metadata', catches: ['SEC.AUTHZ.files'], suites: ['security'] },
  { id: 'authz.sessions-cross-user', protocol: 'auth', description: 'any user can read another user\'s session by id', catches: ['SEC.AUTHZ.sessions'], suites: ['security'] },
  { id: 'authz.member-owner-actions', protocol: 'auth', description: 'a plain member may update and dissolve the group', catches: ['REST.G7'], suites: ['rest'] },
  { id: 'authz.admin-open', protocol: 'auth', description: 'admin routes accept user access tokens', catches: ['SEC.AUTHZ.admin'], suites: ['security'] },
  // WebSocket
  { id: 'ws.no-pong', protocol: 'ws', description: 'ping is never answered', catches: ['WS.3'], suites: ['ws'] },
  { id: 'ws.ack-missing-sequence', protocol: 'ws', description: 'message.sent lacks `sequence`', catches: ['WS.5'], suites: ['ws'] },
  { id: 'ws.ack-ms-timestamp', protocol: 'ws', description: 'message.sent.timestamp is in milliseconds', catches: ['WS.7'], suites: ['ws'] },
  { id: 'ws.localid-not-echoed', protocol: 'ws', description: 'message.sent does not echo `localId`', catches: ['WS.5'], suites: ['ws'] },
  { id: 'ws.notification-shape', protocol: 'ws', description: 'notifications use the backend shape {type, payload:{type, payload}} instead of {notificationType, timestamp, data}', catches: ['WS.8'], suites: ['ws'] },
  { id: 'ws.notify-wrong-user', protocol: 'ws', description: 'friend.request is delivered to the sender instead of the target', catches: ['WS.10'], suites: ['ws'] },
  { id: 'ws.notify-missing', protocol: 'ws', description: 'group.invited is never sent', catches: ['WS.11'], suites: ['ws'] },
  { id: 'ws.bad-token-accepted', protocol: 'ws', description: 'the upgrade accepts any token', catches: ['WS.2'], suites: ['ws'] },
  { id: 'ws.close-on-unknown-type', protocol: 'ws', description: 'an unknown frame type closes the connection', catches: ['WS.14'], suites: ['ws'] },
  // Ordering and delivery
  { id: 'ord.reordered-fanout', protocol: 'ordering', description: 'fan-out delivers every other message out of order', catches: ['ORD.P2'], suites: ['ordering'] },
  { id: 'ord.drop-one-member', protocol: 'ordering', description: 'message.new is not delivered to the last member of a group', catches: ['ORD.P2'], suites: ['ordering'] },
  { id: 'ord.duplicate-delivery', protocol: 'ordering', description: 'message.new is delivered twice to recipients', catches: ['ORD.P2'], suites: ['ordering'] },
  { id: 'ord.sequence-reuse', protocol: 'ordering', description: 'concurrent sends into one conversation can reuse a sequence', catches: ['ORD.P1'], suites: ['ordering'] },
  { id: 'ord.sequence-gaps', protocol: 'ordering', description: 'sequences advance by 2', catches: ['ORD.P1-GAPFREE'], suites: ['ordering'] },
  { id: 'ord.localid-not-idempotent', protocol: 'ordering', description: 'a resent localId is stored again with a new id and sequence', catches: ['ORD.P4'], suites: ['ordering'] },
  { id: 'ord.cross-conversation-leak', protocol: 'ordering', description: 'message.new also goes to members of the sender\'s other groups', catches: ['ORD.P6'], suites: ['ordering'] },
  { id: 'ord.sync-off-by-one', protocol: 'ordering', description: '/sync/messages also returns the message at lastSeq', catches: ['ORD.P5'], suites: ['ordering'] },
  // Load (caught by `anychat-conform load`: correctness under load)
  { id: 'load.drop-1pct', protocol: 'ordering', description: 'one message.new delivery in 100 is silently dropped', catches: ['LOAD.LOST'], suites: ['load'] },
  // gRPC
  { id: 'grpc.unimplemented', protocol: 'grpc', description: 'MessageService.SearchMessages answers UNIMPLEMENTED', catches: ['GRPC.GR1'], suites: ['grpc'] },
  { id: 'grpc.empty-field', protocol: 'grpc', description: 'MessageService.GetMessageById leaves sender_id empty', catches: ['GRPC.MessageService.GetMessageById', 'XPROTO.1'], suites: ['grpc'] },
  { id: 'grpc.state-not-shared', protocol: 'grpc', description: 'UserService.GetProfile serves a copy of the profile taken at registration', catches: ['XPROTO.2', 'GRPC.UserService.UpdateProfile'], suites: ['xproto', 'grpc'] },
  { id: 'grpc.friendship-stale', protocol: 'grpc', description: 'FriendService.IsFriend always answers false', catches: ['XPROTO.3', 'GRPC.FriendService.IsFriend'], suites: ['xproto', 'grpc'] },
  { id: 'grpc.role-stale', protocol: 'grpc', description: 'GroupService.IsMember reports every member as a plain member', catches: ['XPROTO.4', 'GRPC.GroupService.IsMember'], suites: ['xproto', 'grpc'] },
  { id: 'grpc.call-status-stale', protocol: 'grpc', description: 'RTCService.GetCallSession always reports RINGING', catches: ['XPROTO.5', 'GRPC.RTCService.JoinCall'], suites: ['xproto', 'grpc'] },
  { id: 'grpc.unread-stale', protocol: 'grpc', description: 'SessionService.GetTotalUnread always answers 0', catches: ['XPROTO.7', 'GRPC.SessionService.GetTotalUnread'], suites: ['xproto', 'grpc'] },
  { id: 'ws.no-read-receipt', protocol: 'ws', description: 'MessageService.MarkAsRead sends no message.read_receipt', catches: ['XPROTO.8'], suites: ['xproto'] },
  // Prerequisite breakers (issue 12): one broken prerequisite each; its owner fails, every dependent check is blocked
  { id: 'ws.never-ack', protocol: 'ws', description: 'message.send is silently dropped: never stored, never acked', catches: ['WS.5'], suites: ['ws'] },
  { id: 'auth.register-refused', protocol: 'auth', description: 'POST /auth/register refuses every registration (403 "registration is closed")', catches: ['REST.A1'], suites: ['rest'] },
  // Dialect (issue 13): what the official backend does (contract-notes §5); profile `dialect` in FAULT_PROFILES below
  { id: 'dialect.snake-case', protocol: 'rest', description: 'the proto-passthrough operations (GET /friends*, POST /friends/requests, GET /groups, group members and requests, /sessions*, /sync*, /files*, /rtc/*) emit snake_case keys in typed and untyped data', catches: ['REST.HG3'], suites: ['rest'] },
  { id: 'dialect.omit-empty', protocol: 'rest', description: 'the proto-passthrough operations omit empty and zero fields, as Go\'s omitempty and proto3 JSON do: empty lists, 0, false, "" (GET /friends?lastUpdateTime=… → data: {})', catches: ['REST.F7', 'REST.M5', 'REST.NEG2'], suites: ['rest'], tolerated: true },
  { id: 'dialect.proto-timestamps', protocol: 'rest', description: 'the proto-passthrough operations write times as {seconds, nanos} instead of RFC 3339, in typed and untyped data', catches: ['REST.HG16'], suites: ['rest'] },
  { id: 'dialect.json-content', protocol: 'ws', description: 'message content must be a JSON text: a plain-text message.send burns a sequence number and is never acked (gRPC SendMessage: INVALID_ARGUMENT)', catches: ['WS.CONTENT-TEXT'], suites: ['ws'] },
  { id: 'dialect.single-socket', protocol: 'ws', description: 'one WebSocket per user: a second connect closes the first with 1000 "replaced by new connection" (contract silent)', catches: ['WS.15'], suites: ['ws'], tolerated: true },
  { id: 'dialect.admin-elsewhere', protocol: 'rest', description: 'the admin API is served under /api/admin/* on the same port; /api/v1/admin/* answers 404 "404 page not found" (text/plain, no envelope)', catches: ['REST.HG1'], suites: ['rest'] },
  { id: 'dialect.device-type', protocol: 'rest', description: 'register/login refuse the contract\'s deviceType ios|android|web (400 naming deviceType) and accept only iOS|Android|Web|PC', catches: ['REST.A1'], suites: ['rest'] },
  { id: 'dialect.access-alive-after-logout', protocol: 'auth', description: 'logout revokes the refresh token only: the access token keeps working until it expires', catches: ['SEC.7'], suites: ['security'] },
  { id: 'dialect.service-500', protocol: 'rest', description: 'the RTC service is down: every RTC call answers HTTP 500 (REST, after authentication and validation) and INTERNAL (gRPC)', catches: ['REST.HG2', 'GRPC.RTCService.InitiateCall'], suites: ['rest', 'grpc'] },
  // Durability
  { id: 'durability.memory-only', protocol: 'durability', description: 'acked messages are kept in memory only and lost on restart', catches: ['DURABILITY.1'], suites: ['durability'] },
];

/**
 * Named fault sets. `dialect` reproduces the official AnyChat backend at the contract's backend version
 * (contract-notes §5, issue 13): proto-JSON data, JSON-only message content, one socket per user, admin under
 * /api/admin, its own deviceType spelling, the backend notification frame, access tokens alive after logout, and one
 * service (RTC) down. Select it with `serve --profile dialect`, or pass the ids with `--fault`.
 */
export const FAULT_PROFILES: Record<string, readonly string[]> = {
  dialect: [
    'dialect.snake-case',
    'dialect.omit-empty',
    'dialect.proto-timestamps',
    'dialect.json-content',
    'dialect.single-socket',
    'dialect.admin-elsewhere',
    'dialect.device-type',
    'ws.notification-shape',
    'dialect.access-alive-after-logout',
    'dialect.service-500',
  ],
};

/** Fault ids of a profile; unknown profile names are an error naming the known ones. */
export function profileFaults(name: string): string[] {
  const ids = FAULT_PROFILES[name];
  if (!ids) throw new Error(`unknown fault profile ${JSON.stringify(name)} (profiles: ${Object.keys(FAULT_PROFILES).join(', ')})`);
  return [...ids];
}

export class Faults {
  private readonly active: ReadonlySet<string>;

  constructor(ids: Iterable<string> = []) {
    const known = new Set(FAULTS.map((f) => f.id));
    const list = [...ids];
    const unknown = list.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`unknown fault id(s): ${unknown.join(', ')} (see \`anychat-conform serve --list-faults\`)`);
    this.active = new Set(list);
  }

  /** true when fault `id` is switched on. */
  on(id: string): boolean {
    return this.active.has(id);
  }

  get ids(): string[] {
    return [...this.active];
  }
}
