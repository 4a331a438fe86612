import type { LoadUser } from '../identity.js';
import type { LoadSocket } from '../runtime.js';
import type { Scenario } from '../scenario.js';

interface SoakState {
  user: LoadUser;
  sockets: Array<LoadSocket | undefined>;
}

/** Sockets open in one lane, and the most it held at once. */
const gauges = new WeakMap<object, { open: number; peak: number; reported: boolean }>();
const gaugeOf = (lane: object) => {
  let g = gauges.get(lane);
  if (!g) gauges.set(lane, (g = { open: 0, peak: 0, reported: false }));
  return g;
};

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
    const g = gaugeOf(lane);
    g.peak = Math.max(g.peak, ++g.open);
    socket.onDrop = () => void g.open--;
  },
  teardown(lane) {
    const g = gaugeOf(lane);
    if (!g.reported && g.peak > 0) lane.metrics.count('sockets.peak', g.peak);
    g.reported = true;
  },
};
