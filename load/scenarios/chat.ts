import type { LoadParams } from '../params.js';
import type { Scenario } from '../scenario.js';
import { groupPlan, senderSlot, setupGroup, validateGroups, type GroupState } from './groups.js';

const CORRECTNESS = ['lost == 0', 'duplicated == 0', 'ordering.violations == 0', 'misdelivered == 0', 'errors.rate < 0.01'];

function senders(p: LoadParams, fallback: number): number {
  return p.senders > 0 ? p.senders : fallback;
}

/** N users in groups of k, each sending at `rate`: ack latency per send, delivery latency per recipient device. */
export const chat: Scenario<GroupState> = {
  name: 'chat',
  description: 'users in groups of --group-size, each sending --rate messages/s over WebSocket; ack and per-recipient delivery latency, lost/duplicated/out-of-order deliveries',
  params: { vus: 100, groupSize: 10, rate: 1 },
  thresholds: CORRECTNESS,
  validate: validateGroups,
  plan: groupPlan,
  setup: setupGroup,
  rateFor: (p, unit, vu) => (vu < senders(p, unit.size) ? p.rate : -1),
  iterate(lane, _unit, state, vu, scheduledAt) {
    lane.tracker.send(senderSlot(state, lane.params, vu), scheduledAt);
  },
};

/** Few senders into large groups: the cost of fan-out. */
export const fanout: Scenario<GroupState> = {
  ...chat,
  name: 'fanout',
  description: 'large groups (--group-size, default 200) where only --senders members (default 1) send at --rate: fan-out cost and delivery latency',
  params: { vus: 400, groupSize: 200, senders: 1, rate: 2 },
  rateFor: (p, _unit, vu) => (vu < senders(p, 1) ? p.rate : -1),
};
