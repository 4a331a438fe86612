import type { LoadUser } from '../identity.js';
import type { Scenario } from '../scenario.js';
import { checkMixKeys, weightedPicker } from './pick.js';

/** The read operations rest-mix knows, with the concrete path it requests (query included). */
export const REST_READS: Record<string, string> = {
  'GET /users/me': '/users/me',
  'GET /users/me/settings': '/users/me/settings',
  'GET /users/search': '/users/search?keyword=load&page=1&pageSize=20',
  'GET /sessions': '/sessions',
  'GET /sessions/unread/total': '/sessions/unread/total',
  'GET /groups': '/groups',
  'GET /friends': '/friends',
  'GET /friends/requests': '/friends/requests',
  'GET /friends/blacklist': '/friends/blacklist',
  'GET /files': '/files?page=1&pageSize=20',
  'GET /rtc/calls': '/rtc/calls?page=1&pageSize=20',
};

const DEFAULT_MIX: Record<string, number> = {
  'GET /users/me': 4, 'GET /sessions': 2, 'GET /groups': 2, 'GET /friends': 2, 'GET /users/search': 1, 'GET /sessions/unread/total': 1,
};

interface RestState {
  user: LoadUser;
  pick: () => string;
}

/** Weighted mix of authenticated reads; --rate 0 (or max) runs each VU closed-loop, back to back. */
export const restMix: Scenario<RestState> = {
  name: 'rest-mix',
  description: 'weighted --mix of REST reads (GET /users/me, /sessions, /groups, /friends, /users/search, …) at --rate per VU (0 = closed loop)',
  params: { vus: 50, rate: 5 },
  thresholds: ['errors.rate < 0.01'],
  validate(p) {
    if (Object.keys(p.mix).length) checkMixKeys(p.mix, Object.keys(REST_READS));
  },
  async setup(lane) {
    const mix = Object.keys(lane.params.mix).length ? lane.params.mix : DEFAULT_MIX;
    return { user: await lane.identities.register(lane.setupHttp), pick: weightedPicker(mix) };
  },
  async iterate(lane, _unit, state, _vu, scheduledAt) {
    const op = state.pick();
    await lane.http.request(op, 'GET', REST_READS[op]!, { token: state.user.accessToken, scheduledAt });
  },
};
