import type { Metrics } from './metrics.js';
import type { LoadSocket } from './runtime.js';

/**
 * Delivery tracking — correctness under load. Every message a lane sends carries a trace id in its content and its
 * localId; acks (`message.sent`) and deliveries (`notification`/`message.new`) are matched back to the send, so we get
 * ack latency and per-recipient delivery latency measured from the *scheduled* send time, and at the end:
 *   lost                 acked messages that never reached a member device (other than the sending socket)
 *   duplicated           a device got the same message.new more than once
 *   ordering.violations  a device got a message.new with a sequence lower than one it had already got (per connection)
 *   misdelivered         a message.new for a conversation the device is not in, or not matching the trace
 * Messages can also arrive through POST /sync/messages (sync scenario): that counts as received, not as a duplicate.
 */
export interface TrackedConversation {
  id: string;
  slots: Slot[];
}

/** One member device (socket position) of a tracked conversation; its socket may be replaced on reconnect. */
export interface Slot {
  conv: TrackedConversation;
  index: number;
  socket?: LoadSocket;
  /** highest sequence seen on the current connection (reset on reconnect) */
  liveLastSeq: number;
  /** highest sequence seen by this device through any path (what a client would sync from) */
  maxSeq: number;
  /** the socket dropped without us closing it: its deliveries cannot be verified */
  broken: boolean;
  /** sends from this slot awaiting an ack, oldest first (matches acks that do not echo localId) */
  unacked: number[];
}

interface SentMessage {
  conv: TrackedConversation;
  sender: Slot;
  scheduledAt: number;
  state: 'pending' | 'acked' | 'timeout';
  /** per slot: low 7 bits = live receipts, 0x80 = received through sync */
  recv: Uint8Array;
}

const SYNC = 0x80;
const LIVE = 0x7f;

export class DeliveryTracker {
  private readonly messages: SentMessage[] = [];
  private readonly pending = new Set<number>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly padding: string;

  constructor(private readonly metrics: Metrics, private readonly tag: string, private readonly timeoutMs: number, contentBytes: number) {
    this.padding = 'x'.repeat(Math.max(0, contentBytes));
  }

  get used(): boolean {
    return this.messages.length > 0;
  }

  conversation(id: string, slotCount: number): TrackedConversation {
    const conv: TrackedConversation = { id, slots: [] };
    for (let i = 0; i < slotCount; i++) conv.slots.push({ conv, index: i, liveLastSeq: 0, maxSeq: 0, broken: false, unacked: [] });
    return conv;
  }

  /** Route a (new) socket's frames for `slot`; a fresh connection restarts the per-connection order check. */
  attach(slot: Slot, socket: LoadSocket): void {
    slot.socket = socket;
    slot.liveLastSeq = 0;
    socket.onFrame = (frame, at) => this.onFrame(slot, frame, at);
    socket.onDrop = () => {
      slot.broken = true;
    };
  }

  /** Send one message from `slot`, due at `scheduledAt` (performance.now() time). */
  send(slot: Slot, scheduledAt: number): void {
    const now = performance.now();
    this.metrics.latency('driver.lag', Math.max(0, now - scheduledAt));
    this.metrics.count('ops');
    const id = this.messages.length;
    const key = `${this.tag}.${id}`;
    const content = `lt ${key} `;
    const frame = {
      type: 'message.send',
      payload: { conversationId: slot.conv.id, conversationType: 'group', contentType: 'text', content: content + this.padding.slice(content.length), localId: key },
    };
    if (!slot.socket || !slot.socket.send(frame)) {
      this.metrics.error('ws.not-open');
      return;
    }
    this.messages.push({ conv: slot.conv, sender: slot, scheduledAt, state: 'pending', recv: new Uint8Array(slot.conv.slots.length) });
    this.pending.add(id);
    slot.unacked.push(id);
    this.metrics.count('messages.sent');
    this.sweeper ??= setInterval(() => this.sweep(), 200);
  }

  private sweep(): void {
    const now = performance.now();
    for (const id of this.pending) {
      const m = this.messages[id]!;
      if (now - m.scheduledAt < this.timeoutMs) break; // insertion order ≈ schedule order
      this.pending.delete(id);
      m.state = 'timeout';
      this.metrics.error('ws.ack-timeout');
    }
  }

  private idOf(key: unknown): number | undefined {
    if (typeof key !== 'string' || !key.startsWith(`${this.tag}.`)) return undefined;
    const id = Number(key.slice(this.tag.length + 1));
    return Number.isInteger(id) && id >= 0 && id < this.messages.length ? id : undefined;
  }

  private idOfContent(content: unknown): number | undefined {
    if (typeof content !== 'string' || !content.startsWith('lt ')) return undefined;
    const end = content.indexOf(' ', 3);
    return this.idOf(content.slice(3, end < 0 ? undefined : end));
  }

  private onFrame(slot: Slot, frame: any, at: number): void {
    if (frame?.type === 'message.sent') this.onAck(slot, frame.payload, at);
    else if (frame?.type === 'notification' && frame.payload?.notificationType === 'message.new') this.onDelivery(slot, frame.payload.data, at);
  }

  private onAck(slot: Slot, payload: any, at: number): void {
    let id = this.idOf(payload?.localId);
    if (id === undefined) {
      // No (or a foreign) localId echoed: the oldest unacked send of this socket.
      while (slot.unacked.length > 0 && this.messages[slot.unacked[0]!]!.state !== 'pending') slot.unacked.shift();
      id = slot.unacked[0];
      if (id === undefined) return void this.metrics.count('acks.unmatched');
    }
    const m = this.messages[id]!;
    const i = slot.unacked.indexOf(id);
    if (i >= 0) slot.unacked.splice(i, 1);
    if (m.state === 'timeout') return void this.metrics.count('acks.late');
    if (m.state === 'acked') return void this.metrics.count('acks.duplicated');
    m.state = 'acked';
    this.pending.delete(id);
    this.metrics.latency('ack', at - m.scheduledAt);
    this.metrics.count('messages.acked');
    const seq = Number(payload?.sequence);
    if (Number.isFinite(seq)) slot.maxSeq = Math.max(slot.maxSeq, seq);
  }

  private onDelivery(slot: Slot, data: any, at: number): void {
    if (data?.conversationId !== slot.conv.id) return void this.metrics.count('misdelivered');
    const id = this.idOfContent(data?.content);
    const m = id === undefined ? undefined : this.messages[id];
    if (!m || m.conv !== slot.conv) return void this.metrics.count('misdelivered');
    if (m.sender === slot) return void this.metrics.count('deliveries.to-sending-socket');
    const r = m.recv[slot.index]!;
    if ((r & LIVE) > 0) {
      this.metrics.count('duplicated');
      m.recv[slot.index] = (r & SYNC) | Math.min(LIVE, (r & LIVE) + 1);
      return;
    }
    m.recv[slot.index] = r | 1;
    this.metrics.count('deliveries');
    if (!(r & SYNC)) this.metrics.latency('delivery', at - m.scheduledAt);
    const seq = Number(data.sequence);
    if (Number.isFinite(seq)) {
      if (seq <= slot.liveLastSeq) this.metrics.count('ordering.violations');
      slot.liveLastSeq = Math.max(slot.liveLastSeq, seq);
      slot.maxSeq = Math.max(slot.maxSeq, seq);
    }
  }

  /** A message the device got from POST /sync/messages (REST message shape). */
  syncReceived(slot: Slot, message: any): void {
    const seq = Number(message?.sequence);
    if (Number.isFinite(seq)) slot.maxSeq = Math.max(slot.maxSeq, seq);
    const id = this.idOfContent(message?.content);
    const m = id === undefined ? undefined : this.messages[id];
    if (!m || m.conv !== slot.conv || m.sender === slot) return;
    if (m.recv[slot.index] === 0) this.metrics.count('deliveries.sync');
    m.recv[slot.index]! |= SYNC;
  }

  /** Acks still awaited plus deliveries still missing to healthy slots (drives the early end of the grace period). */
  outstanding(): number {
    let n = this.pending.size;
    for (const m of this.messages) {
      if (m.state !== 'acked') continue;
      for (const s of m.conv.slots) if (s !== m.sender && !s.broken && m.recv[s.index] === 0) n++;
    }
    return n;
  }

  /** Count what never arrived. Call once, after the grace period. */
  finish(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    let lost = 0;
    let expected = 0;
    let unverifiable = 0;
    for (const id of this.pending) {
      this.messages[id]!.state = 'timeout';
      this.metrics.error('ws.ack-timeout');
    }
    this.pending.clear();
    for (const m of this.messages) {
      if (m.state !== 'acked') continue;
      for (const s of m.conv.slots) {
        if (s === m.sender) continue;
        if (s.broken) {
          unverifiable++;
          continue;
        }
        expected++;
        if (m.recv[s.index] === 0) lost++;
      }
    }
    for (const k of ['messages.sent', 'messages.acked', 'deliveries', 'duplicated', 'ordering.violations', 'misdelivered']) this.metrics.count(k, 0);
    this.metrics.count('lost', lost);
    this.metrics.count('deliveries.expected', expected);
    if (unverifiable) this.metrics.count('deliveries.unverifiable', unverifiable);
  }
}
