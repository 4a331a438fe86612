import { sleep } from '../runtime.js';
import type { Scenario } from '../scenario.js';
import type { Slot } from '../tracker.js';
import { groupPlan, senderSlot, setupGroup, validateGroups, type GroupState } from './groups.js';

const PAGE = 100;
const MAX_PAGES = 50;

interface SyncState extends GroupState {
  busy: Set<Slot>;
}

/**
 * Reconnect storm with catch-up: in every group member 0 keeps sending at --rate while every other member, every
 * --reconnect-every, drops its socket, stays offline for --offline, reconnects and catches up with POST /sync/messages
 * from the highest sequence it has seen. A message counts as delivered whether it came live or through sync; one that
 * came neither way is lost. `sync.catchup` is the time from reconnecting to being caught up.
 */
export const sync: Scenario<SyncState> = {
  name: 'sync',
  description: 'reconnect storm: members drop and reconnect every --reconnect-every, then catch up with POST /sync/messages while member 0 of each group keeps sending',
  params: { vus: 100, groupSize: 10, rate: 2, reconnectEvery: '5s', offline: '1s' },
  thresholds: ['lost == 0', 'duplicated == 0', 'ordering.violations == 0', 'misdelivered == 0', 'errors.rate < 0.01'],
  validate(p) {
    validateGroups(p);
    if (p.reconnectEvery <= 0) throw new Error('reconnectEvery must be > 0');
  },
  plan: groupPlan,
  async setup(lane, unit) {
    return { ...(await setupGroup(lane, unit)), busy: new Set() };
  },
  rateFor: (p, _unit, vu) => (vu === 0 ? p.rate : 1000 / p.reconnectEvery),
  async iterate(lane, _unit, state, vu, scheduledAt) {
    const p = lane.params;
    const slot = senderSlot(state, p, vu);
    if (vu === 0) return lane.tracker.send(slot, scheduledAt);
    if (state.busy.has(slot) || slot.broken) return void lane.metrics.count('sync.skipped');
    state.busy.add(slot);
    try {
      slot.socket?.close();
      await sleep(p.offline, lane.signal);
      const started = performance.now();
      const socket = lane.socket('load');
      try {
        await socket.connect(state.tokens[vu]![0]!);
      } catch (e) {
        slot.broken = true; // offline for good: its deliveries cannot be verified (the connect error is counted)
        lane.note(`sync reconnect: ${(e as Error).message}`);
        return;
      }
      lane.tracker.attach(slot, socket);
      let lastSeq = slot.maxSeq;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await lane.http.request('POST /sync/messages', 'POST', '/sync/messages', {
          token: state.tokens[vu]![0]!,
          body: { conversationSeqs: [{ conversationId: state.conv.id, conversationType: 'group', lastSeq }], limitPerConversation: PAGE },
        });
        if (!r.ok) {
          slot.broken = true;
          return;
        }
        const c = (r.body?.data?.conversations ?? []).find((x: any) => x?.conversationId === state.conv.id);
        const messages: any[] = Array.isArray(c?.messages) ? c.messages : [];
        for (const m of messages) {
          lane.tracker.syncReceived(slot, m);
          const seq = Number(m?.sequence);
          if (Number.isFinite(seq)) lastSeq = Math.max(lastSeq, seq);
        }
        lane.metrics.count('sync.messages', messages.length);
        if (!c?.hasMore || messages.length === 0) break;
      }
      lane.metrics.latency('sync.catchup', performance.now() - started);
    } finally {
      state.busy.delete(slot);
    }
  },
};
