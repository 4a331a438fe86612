import type { StoreJob, StoreResult } from './message-store.js';
import type { MessageRow } from '../message/shape.js';

/**
 * What crosses to the writer thread and back (structured clone). A batch of jobs goes as one flat array, so the clone
 * copies values, not 17 property names per job; the answer is one array holding, per job, its sequence (a number),
 * the row stored earlier under its localId (an object) or the error its transaction failed with (a string).
 */
export type WireJobs = unknown[];
export type WireResults = Array<number | MessageRow | string>;

const FIELDS = 15;

export function encodeJobs(jobs: StoreJob[]): WireJobs {
  const out: unknown[] = new Array(jobs.length * FIELDS);
  // A conversation's member list repeats for each of its messages in the batch: put the same array in each place,
  // and the clone sends it once (structured clone keeps shared references).
  const lists = new Map<string, { members: string[]; targets: string[] }>();
  let k = 0;
  for (const j of jobs) {
    const last = lists.get(j.conversationId);
    const shared = last && sameList(last.members, j.members) && sameList(last.targets, j.targets) ? last : j;
    if (shared === j) lists.set(j.conversationId, { members: j.members, targets: j.targets });
    out[k++] = j.messageId;
    out[k++] = j.createdAt;
    out[k++] = j.conversationId;
    out[k++] = j.conversationType;
    out[k++] = j.senderId;
    out[k++] = j.contentType;
    out[k++] = j.content;
    out[k++] = j.replyTo;
    out[k++] = j.atUsers;
    out[k++] = j.localId;
    out[k++] = shared.members;
    out[k++] = shared.targets;
    out[k++] = j.idempotent;
    out[k++] = j.seqStep;
    out[k++] = j.forcedSeq ?? null;
  }
  return out;
}

function sameList(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decodeJobs(w: WireJobs): StoreJob[] {
  const jobs: StoreJob[] = new Array(w.length / FIELDS);
  for (let i = 0, k = 0; i < jobs.length; i++, k += FIELDS) {
    jobs[i] = {
      messageId: w[k] as string,
      createdAt: w[k + 1] as number,
      conversationId: w[k + 2] as string,
      conversationType: w[k + 3] as StoreJob['conversationType'],
      senderId: w[k + 4] as string,
      contentType: w[k + 5] as string,
      content: w[k + 6] as string,
      replyTo: w[k + 7] as string | null,
      atUsers: w[k + 8] as string,
      localId: w[k + 9] as string | null,
      members: w[k + 10] as string[],
      targets: w[k + 11] as string[],
      idempotent: w[k + 12] as boolean,
      seqStep: w[k + 13] as number,
      forcedSeq: (w[k + 14] as number | null) ?? undefined,
    };
  }
  return jobs;
}

export function encodeResults(results: StoreResult[]): WireResults {
  return results.map((r) => ('sequence' in r ? r.sequence : 'duplicate' in r ? r.duplicate : r.error));
}

export function decodeResults(w: WireResults): StoreResult[] {
  return w.map((r) => (typeof r === 'number' ? { sequence: r } : typeof r === 'string' ? { error: r } : { duplicate: r }));
}
