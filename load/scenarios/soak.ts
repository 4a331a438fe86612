import type { LoadUser } from '../identity.js';
import type { LoadSocket } from '../runtime.js';
import type { Scenario } from '../scenario.js';

interface SoakState {
  user: LoadUser;
  sockets: Array<LoadSocket | undefined>;
}

let open = 0;
let peak = 0;

/**
 * --concurrency idle sockets held for --duration: each connects at its VU's activation (spread over --ramp-up) and then
 * pings at --rate (default every 10 s), measuring `ws.connect` and `ws.pong`; a dropped socket is counted and reconnects
 * at its next arrival. Sockets share --sockets-per-user users (the server allows several connections per user).
 */
export const soak: Scenario<SoakState> = {
  name: 'soak',
  description: '--concurrency idle WebSockets (spread over --ramp-up) pinging at --rate for --duration: connect time, pong latency, drops',
  params: { concurrency: 1000, rate: 0.1, rampUp: '5s', duration: '60s' },
  thresholds: ['errors.ws.dropped == 0', 'errors.rate < 0.01'],
  startImmediately: true,
  validate(p) {
    if (p.concurrency < 1) throw new Error('concurrency must be ≥ 1');
    if (p.socketsPerUser < 1) throw new Error('socketsPerUser must be ≥ 1');
  },
  plan(p) {
    const users = Math.ceil(p.concurrency / p.socketsPerUser);
    return Array.from({ length: users }, (_, u) => Math.min(p.socketsPerUser, p.concurrency - u * p.socketsPerUser));
  },
  async setup(lane, unit) {
    return { user: await lane.identities.register(lane.setupHttp), sockets: new Array(unit.size) };
  },
  async iterate(lane, _unit, state, vu, scheduledAt) {
    const s = state.sockets[vu];
    if (s && !s.closed) return void (await s.ping(scheduledAt));
    const socket = lane.socket('load');
    state.sockets[vu] = socket;
    try {
      await socket.connect(state.user.accessToken);
    } catch {
      return; // counted by the socket
    }
    open++;
    peak = Math.max(peak, open);
    socket.onDrop = () => void open--;
  },
  teardown(lane) {
    if (peak > 0) lane.metrics.count('sockets.peak', peak);
    peak = 0;
    open = 0;
  },
};
