import type { Record as CheckRecord } from '../fixtures/recorder.js';

/**
 * The raw results the conformance reporter writes from inside Playwright (one file per run, shard or merge).
 * Everything the reports show is derived from this file plus the contract catalogue, so `report merge` and
 * `run` build identical reports from identical results.
 */
export const RAW_RESULTS_FILE = 'raw-results.json';
export const RAW_FORMAT = 'anychat-raw-results/1';

/** What the CLI knows about a run; travels to the reporter in the Playwright config metadata (and so through blobs). */
export interface RunMetadata {
  runId: string;
  /** The target URL, or the in-process reference server's URL with --serve. */
  target: string;
  serve: { faults: string[] } | null;
  grpc: string | null;
  grpcServices: { [service: string]: string };
  suites: string[];
  seed: number;
  strict: boolean;
  grep: string | null;
  repeat: number;
  harnessVersion: string;
  contract: {
    dir: string;
    commit: string | null;
    backendVersion: string | null;
    lastSynced: string | null;
    digest: string;
    hashes: { [file: string]: string };
  };
  startedAt: string;
  /** The start of a replay command: 'anychat-conform run https://x' or 'anychat-conform run --serve --fault a'. */
  replayBase: string;
  /** The run's effective options (<out>/run-config.json, as the user would type its path); replays pass it to --config. */
  runConfig?: string;
}

export type AttemptStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export interface Annotation {
  type: string;
  description?: string;
}

export interface RawAttempt {
  status: AttemptStatus;
  durationMs: number;
  startTime: string;
  retry: number;
  /** Error messages (ANSI stripped) as Playwright reported them. */
  errors: string[];
  annotations: Annotation[];
  /** The check's `anychat-record` attachment: exchanges, coverage, failure detail, warnings. */
  record: (CheckRecord & { droppedExchanges?: number }) | null;
}

export interface RawTest {
  /** Playwright project = suite name. */
  project: string;
  /** Spec file, relative to the suites directory. */
  file: string;
  title: string;
  tags: string[];
  annotations: Annotation[];
  expectedStatus: AttemptStatus;
  repeatEachIndex: number;
  attempts: RawAttempt[];
}

export interface RawResults {
  format: typeof RAW_FORMAT;
  metadata: RunMetadata | null;
  playwrightVersion: string;
  shard: { current: number; total: number } | null;
  /** Playwright's overall status: passed | failed | timedout | interrupted. */
  status: string;
  startedAt: string;
  durationMs: number;
  /** Errors outside any check (a suite file that fails to load, a crashed global setup). */
  errors: string[];
  tests: RawTest[];
}

const ANSI = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, '');
