import type { Contracts } from '../contracts/index.js';
import type { Bus } from './bus.js';
import type { Faults } from './faults.js';
import type { Db } from './store/db.js';
import type { AuthDomain } from './auth/domain.js';
import type { UserDomain } from './user/domain.js';
import type { FriendDomain } from './friend/domain.js';
import type { GroupDomain } from './group/domain.js';
import type { MessageDomain } from './message/domain.js';
import type { SessionDomain } from './session/domain.js';
import type { SyncDomain } from './sync/domain.js';
import type { FileDomain } from './file/domain.js';
import type { PushDomain } from './push/domain.js';
import type { RtcDomain } from './rtc/domain.js';
import type { AdminDomain } from './admin/domain.js';

export interface ServerConfig {
  /** HS256 secret for access/refresh/admin tokens. */
  jwtSecret: string;
  accessTtlSec: number;
  refreshTtlSec: number;
  /** Seeded admin (contract-notes I19). */
  adminUser: string;
  adminPassword: string;
  /** Public base URL of the HTTP listener (e.g. http://127.0.0.1:8080), known once listening; used for file URLs. */
  publicUrl: string;
  /** Directory for uploaded file bytes (beside the DB); a temp dir for :memory:. */
  filesDir: string;
  /** Largest accepted WS text frame in bytes; bigger frames are dropped, the connection survives. */
  maxFrameBytes: number;
}

/** The domain layer of every service; REST, WS and gRPC adapters all call these, so protocols agree by construction. */
export interface Domains {
  auth: AuthDomain;
  user: UserDomain;
  friend: FriendDomain;
  group: GroupDomain;
  message: MessageDomain;
  session: SessionDomain;
  sync: SyncDomain;
  file: FileDomain;
  push: PushDomain;
  rtc: RtcDomain;
  admin: AdminDomain;
}

export interface ServerContext {
  db: Db;
  bus: Bus;
  faults: Faults;
  contracts: Contracts;
  config: ServerConfig;
  /** Filled by server.ts after construction; domains reach each other through it (e.g. group → user for userInfo). */
  domains: Domains;
}
