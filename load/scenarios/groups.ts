import { SetupStepError, type LoadUser } from '../identity.js';
import type { LoadParams } from '../params.js';
import { describeFailure } from '../runtime.js';
import type { LaneContext, UnitInfo } from '../scenario.js';
import type { Slot, TrackedConversation } from '../tracker.js';

/** A chat group set up for load: its members, every member device's token, and the tracked conversation. */
export interface GroupState {
  conv: TrackedConversation;
  users: LoadUser[];
  /** tokens[user][device] */
  tokens: string[][];
}

/** Groups of as equal a size as possible (differing by at most one), each of at least 2 members. */
export function groupPlan(p: LoadParams): number[] {
  const groups = Math.ceil(p.vus / p.groupSize);
  const base = Math.floor(p.vus / groups);
  const extra = p.vus % groups;
  return Array.from({ length: groups }, (_, g) => base + (g < extra ? 1 : 0));
}

export function validateGroups(p: LoadParams): void {
  if (p.groupSize < 2 || p.groupSize > 500) throw new Error(`group size must be from 2 to 500 (the reference limit), got ${p.groupSize}`);
  if (p.vus < 2) throw new Error('vus must be ≥ 2 for group scenarios');
}

/** The slot (device) VU `vu` sends from: its first device. */
export function senderSlot(state: GroupState, p: LoadParams, vu: number): Slot {
  return state.conv.slots[vu * p.devices]!;
}

/**
 * Register the unit's users (one login per extra device), let the first create the group with the others, and connect
 * every member device. Throws SetupStepError (the unit is dropped) when any step fails.
 */
export async function setupGroup(lane: LaneContext, unit: UnitInfo): Promise<GroupState> {
  const p = lane.params;
  const users = await Promise.all(Array.from({ length: unit.size }, () => lane.identities.register(lane.setupHttp)));
  const tokens = await Promise.all(users.map(async (u) => {
    const t = [u.accessToken];
    for (let d = 1; d < p.devices; d++) t.push((await lane.identities.login(lane.setupHttp, u, `${u.deviceId}-d${d}`)).accessToken);
    return t;
  }));
  const r = await lane.setupHttp.request('POST /groups', 'POST', '/groups', {
    token: users[0]!.accessToken,
    body: { name: `load ${lane.tag} ${unit.index}`, memberIds: users.slice(1).map((u) => u.userId) },
  });
  const groupId = r.body?.data?.groupId;
  if (!r.ok || typeof groupId !== 'string') throw new SetupStepError(describeFailure('create group', r));
  const conv = lane.tracker.conversation(groupId, unit.size * p.devices);
  await Promise.all(conv.slots.map(async (slot) => {
    const socket = lane.socket('setup');
    await socket.connect(tokens[Math.floor(slot.index / p.devices)]![slot.index % p.devices]!);
    lane.tracker.attach(slot, socket);
  }));
  return { conv, users, tokens };
}
