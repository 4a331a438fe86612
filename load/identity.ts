import { randomInt } from 'node:crypto';
import { describeFailure, type LoadHttp } from './runtime.js';

/** A user the load created, logged in on one device. */
export interface LoadUser {
  userId: string;
  phone: string;
  email: string;
  password: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string;
}

export interface Identity {
  phone: string;
  email: string;
  password: string;
  deviceId: string;
  nickname: string;
}

/** A failed step of a unit's setup (the unit is dropped; the message goes to the report). */
export class SetupStepError extends Error {}

const PASSWORD = 'loadTest2024';
const CLIENT = { deviceType: 'ios', clientVersion: '1.0.0' };

/**
 * Unique identities for one lane: phone numbers `1[3-9]` + 9 digits from a random base (so shards on other machines
 * and earlier runs against the same target almost never collide; a 409 is retried with a fresh number), emails and
 * device ids carrying the lane's tag.
 */
export class Identities {
  private base = randomInt(0, 900_000_000);
  private prefix = 3 + randomInt(0, 7);
  private n = 0;

  constructor(private readonly tag: string) {}

  next(): Identity {
    const i = this.n++;
    const digits = String((this.base + i) % 1_000_000_000).padStart(9, '0');
    return {
      phone: `1${this.prefix}${digits}`,
      email: `lt-${this.tag}-${i}@load.anychat.test`,
      password: PASSWORD,
      deviceId: `load-${this.tag}-${i}`,
      nickname: `load${this.tag}${i}`.slice(0, 40),
    };
  }

  private reseed(): void {
    this.base = randomInt(0, 900_000_000);
    this.prefix = 3 + randomInt(0, 7);
  }

  /** POST /auth/register a fresh identity; retried (new number) on 409. Throws SetupStepError on failure. */
  async register(http: LoadHttp, opts: { scheduledAt?: number } = {}): Promise<LoadUser> {
    for (let attempt = 0; ; attempt++) {
      const id = this.next();
      const r = await http.request('POST /auth/register', 'POST', '/auth/register', {
        scheduledAt: attempt === 0 ? opts.scheduledAt : undefined,
        body: { phoneNumber: id.phone, email: id.email, password: id.password, verifyCode: '123456', deviceId: id.deviceId, nickname: id.nickname, ...CLIENT },
      });
      if (r.ok && typeof r.body?.data?.accessToken === 'string') {
        const d = r.body.data;
        return { userId: String(d.userId ?? d.user?.userId ?? ''), phone: id.phone, email: id.email, password: id.password, deviceId: id.deviceId, accessToken: d.accessToken, refreshToken: d.refreshToken };
      }
      if (r.status === 409 && attempt < 3) {
        this.reseed();
        continue;
      }
      throw new SetupStepError(describeFailure('register', r));
    }
  }

  /** POST /auth/login as `user` from `deviceId`; returns that device's tokens. */
  async login(http: LoadHttp, user: LoadUser, deviceId: string, opts: { scheduledAt?: number } = {}): Promise<{ accessToken: string; refreshToken: string }> {
    const r = await http.request('POST /auth/login', 'POST', '/auth/login', {
      scheduledAt: opts.scheduledAt,
      body: { account: user.phone, password: user.password, deviceId, ...CLIENT },
    });
    if (!r.ok || typeof r.body?.data?.accessToken !== 'string') throw new SetupStepError(describeFailure('login', r));
    return { accessToken: r.body.data.accessToken, refreshToken: r.body.data.refreshToken };
  }
}
