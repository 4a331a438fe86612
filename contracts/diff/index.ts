import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadBundle, type Bundle } from '../bundle.js';
import { buildCatalogue } from '../catalogue.js';
import type { Contracts } from '../index.js';
import { diffAsyncApi } from './asyncapi.js';
import { conceptRenames } from './cross.js';
import { diffOpenApi } from './openapi.js';
import { diffProto } from './proto.js';
import { rule, RULES, type Change, type Rule } from './rules.js';

export { RULES, type Change, type Rule } from './rules.js';

/** What the diff reads of a loaded contract: the parsed files and the catalogue (no validators needed). */
export type DiffInput = Pick<Contracts, 'bundle' | 'catalogue'>;

/** Load a bundle directory for diffing (the loader's own checks: a bad directory is a SetupError, exit 2). */
export function loadForDiff(dir: string): DiffInput {
  const bundle = loadBundle(dir);
  return { bundle, catalogue: buildCatalogue(bundle) };
}

export interface VersionInfo {
  dir: string;
  /** The contract version in one word: .contracts-commit, else the commit in .source, else the directory name. */
  version: string;
  digest: string;
  counts: { restOperations: number; wsMessages: number; notificationTypes: number; grpcServices: number; rpcs: number };
}

export type ClassifiedChange = Change & Pick<Rule, 'protocol' | 'category' | 'client' | 'server' | 'message'>;

export interface RuleCount extends Omit<Rule, 'message'> {
  message: string;
  count: number;
}

export interface DiffResult {
  old: VersionInfo;
  new: VersionInfo;
  changes: ClassifiedChange[];
  summary: { total: number; breakingForClients: number; breakingForServers: number; byRule: RuleCount[] };
}

/** The version a bundle names itself by (history folders carry `.source`: "commit date subject"). */
export function contractVersion(bundle: Bundle): string {
  if (bundle.contractsCommit) return bundle.contractsCommit;
  const source = join(bundle.location.dir, '.source');
  if (existsSync(source)) {
    const first = readFileSync(source, 'utf8').trim().split(/\s+/)[0];
    if (first) return first;
  }
  return basename(bundle.location.dir);
}

function info(c: DiffInput): VersionInfo {
  return {
    dir: c.bundle.location.dir,
    version: contractVersion(c.bundle),
    digest: c.bundle.digest,
    counts: {
      restOperations: c.catalogue.operations.length,
      wsMessages: c.catalogue.wsMessages.length,
      notificationTypes: c.catalogue.notificationTypes.length,
      grpcServices: c.catalogue.services.length,
      rpcs: c.catalogue.rpcs.length,
    },
  };
}

const ORDER = new Map(RULES.map((r, i) => [r.id, i]));

/** Every change from OLD to NEW across REST, WebSocket and gRPC, each classified by its rule. */
export function diffContracts(a: DiffInput, b: DiffInput): DiffResult {
  const rest = diffOpenApi(a, b).changes;
  const ws = diffAsyncApi(a, b);
  const grpc = diffProto(a, b);
  const all = [...rest, ...ws, ...grpc];
  all.push(...conceptRenames(all));
  const changes: ClassifiedChange[] = all
    .map((c) => {
      const r = rule(c.rule);
      return { ...c, protocol: r.protocol, category: r.category, client: r.client, server: r.server, message: r.message };
    })
    .sort((x, y) => ORDER.get(x.rule)! - ORDER.get(y.rule)! || x.subject.localeCompare(y.subject));
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.rule, (counts.get(c.rule) ?? 0) + 1);
  return {
    old: info(a),
    new: info(b),
    changes,
    summary: {
      total: changes.length,
      breakingForClients: changes.filter((c) => c.client).length,
      breakingForServers: changes.filter((c) => c.server).length,
      byRule: RULES.filter((r) => counts.has(r.id)).map((r) => ({ ...r, count: counts.get(r.id)! })),
    },
  };
}
