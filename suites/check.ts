import { test as base, type TestInfo } from '@playwright/test';
import { block, PrerequisiteBroken } from '../fixtures/prereq.js';
import { loadContracts, type Contracts } from '../contracts/index.js';
import { applicability, notApplicableReason } from '../contracts/applicability.js';
import { raisedFailures } from '../fixtures/failure.js';
import { Recorder, RECORD_ATTACHMENT } from '../fixtures/recorder.js';
import { targetFromEnv, type Target } from '../fixtures/target.js';
import { restFixtures } from '../fixtures/rest.js';
import { wsFixtures } from '../fixtures/ws.js';
import { grpcFixtures } from '../fixtures/grpc.js';

export type Level = 'MUST' | 'SHOULD' | 'MAY';
export type SuiteName = 'rest' | 'security' | 'ws' | 'grpc' | 'xproto' | 'ordering' | 'browser';

/** The metadata every check carries, test262-style: a stable id, a level, and the contract location it enforces. */
export interface CheckMeta {
  id: string;
  level: Level;
  /** Contract citation(s): 'http/openapi.json#/paths/~1auth~1login/post', 'websocket/asyncapi.yaml#/…', 'anychat.auth.AuthService/Login'. */
  cites: string | string[];
  title: string;
  /** The behaviour rests on an assumption the contract leaves open (contract-notes I9 etc.). */
  assumed?: boolean;
  /** Contract elements the check relies on beyond its cites (same forms, or 'notification:<type>'); see contracts/applicability.ts. */
  needs?: string | string[];
}

export interface CoreWorkerFixtures {
  target: Target;
  contracts: Contracts;
}

export interface CoreFixtures {
  recorder: Recorder;
}

/** Core fixtures: the target (from ANYCHAT_* env), the contract (loaded once per worker), the per-check recorder. */
export const coreTest = base.extend<CoreFixtures, CoreWorkerFixtures>({
  target: [async ({}, use) => use(targetFromEnv()), { scope: 'worker' }],
  contracts: [async ({ target }, use) => use(loadContracts(target.contractsDir)), { scope: 'worker' }],
  recorder: [
    async ({}, use, testInfo) => {
      const recorder = new Recorder();
      raisedFailures.length = 0;
      await use(recorder);
      await attachRecord(recorder, testInfo);
    },
    { auto: true },
  ],
});

async function attachRecord(recorder: Recorder, testInfo: TestInfo): Promise<void> {
  // Fixtures see only serialised errors: match each to the ConformanceFailure raised in this worker by its message.
  for (const err of testInfo.errors) {
    const raised = raisedFailures.find((f) => err.message?.includes(f.message));
    if (raised) recorder.fail(raised.detail);
  }
  raisedFailures.length = 0;
  if (testInfo.status !== testInfo.expectedStatus && testInfo.errors[0] && !recorder.toJSON().failure) {
    recorder.fail({ message: testInfo.errors[0].message ?? 'check failed', replay: recorder.lastReplay() });
  }
  await testInfo.attach(RECORD_ATTACHMENT, { body: JSON.stringify(recorder.toJSON()), contentType: 'application/json' });
}

export const test = coreTest.extend(restFixtures).extend(wsFixtures).extend(grpcFixtures);
export type CheckArgs = Parameters<Parameters<typeof test>[2]>[0];

/**
 * Declare one check: one behaviour, with id, level and citation in the test's annotations and tags,
 * so every reporter and `checks list` read them from one place.
 */
export function check(meta: CheckMeta, body: (args: CheckArgs, testInfo: TestInfo) => Promise<void>): void {
  const cites = Array.isArray(meta.cites) ? meta.cites : [meta.cites];
  // With another contract version, a check whose elements the bundle lacks ends skipped: 'not applicable: <element>'.
  const needs = meta.needs === undefined ? [] : Array.isArray(meta.needs) ? meta.needs : [meta.needs];
  const applies = applicability({ cites, needs }, loadContracts(process.env.ANYCHAT_CONTRACTS || undefined));
  test(`${meta.id} ${meta.title}`, {
    tag: [`@${meta.level}`],
    annotation: [
      { type: 'check-id', description: meta.id },
      { type: 'level', description: meta.level },
      ...cites.map((c) => ({ type: 'cite', description: c })),
      ...(meta.assumed ? [{ type: 'assumed', description: 'relies on a decision the contract leaves open' }] : []),
      ...needs.map((n) => ({ type: 'needs', description: n })),
    ],
  }, applies.applicable ? blockingOnBrokenPrereqs(body) : async ({}, testInfo: TestInfo) => testInfo.skip(true, notApplicableReason(applies)));
}

/**
 * The check body, with a broken prerequisite met anywhere inside it (a client's PrerequisiteBroken) ending the check
 * as blocked, citing the owner. Playwright reads the fixtures a test needs from its function's source, so the wrapper
 * shows the body's.
 */
function blockingOnBrokenPrereqs(body: (args: CheckArgs, testInfo: TestInfo) => Promise<void>): any {
  const run = async (args: CheckArgs, testInfo: TestInfo) => {
    try {
      await body(args, testInfo);
    } catch (e) {
      if (e instanceof PrerequisiteBroken) block(e.reason, e.owner);
      throw e;
    }
  };
  Object.defineProperty(run, 'toString', { value: () => body.toString() });
  return run;
}
