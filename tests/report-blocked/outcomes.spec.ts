import { check } from '../../suites/check.js';
import { fail } from '../../fixtures/failure.js';
import { owns, prereq } from '../../fixtures/prereq.js';
import { test } from '@playwright/test';

/** Fixture checks for tests/report-outcomes.test.ts (not a conformance suite): one of each outcome, in this order. */
const SEND = { key: 'test.send-ack', owner: 'OWN.1', what: 'send a message' };

check({ id: 'P.1', level: 'MUST', cites: 'c#/p1', title: 'passes' }, async () => {
  if (1 + 1 !== 2) fail({ message: 'arithmetic', expected: 2, observed: 1 + 1 });
});

check({ id: 'OWN.1', level: 'SHOULD', cites: 'c#/own1', title: 'owns the send behaviour and fails' }, async () => {
  await owns(SEND, async () => fail({ message: 'message.send is never acked', expected: 'an ack within 10 s', observed: undefined }));
});

check({ id: 'DEP.1', level: 'MUST', cites: 'c#/dep1', title: 'needs a working send' }, async () => {
  await prereq(SEND, async () => {
    throw new Error('harness: this setup step must not run once the prerequisite is known broken');
  });
  fail({ message: 'unreachable: the check should have been blocked' });
});

check({ id: 'DEP.2', level: 'MUST', cites: 'c#/dep2', title: 'needs a group, whose setup breaks' }, async () => {
  await prereq({ key: 'test.group', owner: 'OWN.1', what: 'create a group' }, async () => {
    throw new Error('POST /groups answered 500');
  });
});

check({ id: 'NA.1', level: 'MAY', cites: 'c#/na1', title: 'does not apply here' }, async () => {
  test.skip(true, 'not applicable: the target keeps one socket per user');
});
