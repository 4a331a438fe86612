import { SetupStepError, type LoadUser } from '../identity.js';
import type { Scenario } from '../scenario.js';
import { checkMixKeys, weightedPicker } from './pick.js';

const OPS = ['register', 'login', 'refresh'] as const;
const DEFAULT_MIX = { register: 1, login: 3, refresh: 6 };

interface LoginState {
  user: LoadUser;
  refreshToken: string;
  /** refresh tokens rotate: one VU's refreshes run one after another (latency still counts from the scheduled time) */
  chain: Promise<void>;
  pick: () => (typeof OPS)[number];
}

/** Authentication storm: each VU registers fresh users, logs in and refreshes its rotating token in a weighted mix. */
export const login: Scenario<LoginState> = {
  name: 'login',
  description: 'register / login / refresh storm in a weighted --mix (default register=1,login=3,refresh=6) at --rate per VU',
  params: { vus: 50, rate: 2 },
  thresholds: ['errors.rate < 0.01'],
  validate(p) {
    if (Object.keys(p.mix).length) checkMixKeys(p.mix, OPS);
  },
  async setup(lane) {
    const user = await lane.identities.register(lane.setupHttp);
    const mix = Object.keys(lane.params.mix).length ? lane.params.mix : DEFAULT_MIX;
    return { user, refreshToken: user.refreshToken, chain: Promise.resolve(), pick: weightedPicker(mix as Record<(typeof OPS)[number], number>) };
  },
  async iterate(lane, _unit, state, _vu, scheduledAt) {
    const op = state.pick();
    try {
      if (op === 'register') await lane.identities.register(lane.http, { scheduledAt });
      else if (op === 'login') await lane.identities.login(lane.http, state.user, state.user.deviceId, { scheduledAt });
      else {
        const run = state.chain.then(async () => {
          const r = await lane.http.request('POST /auth/refresh', 'POST', '/auth/refresh', { scheduledAt, body: { refreshToken: state.refreshToken } });
          if (r.ok && typeof r.body?.data?.refreshToken === 'string') state.refreshToken = r.body.data.refreshToken;
        });
        state.chain = run;
        await run;
      }
    } catch (e) {
      if (!(e instanceof SetupStepError)) throw e; // an HTTP failure: already counted by LoadHttp
    }
  },
};
