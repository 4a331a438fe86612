import type { FullConfig, Reporter, Suite } from '@playwright/test/reporter';
import { applicability } from '../contracts/applicability.js';
import { contractVersion } from '../contracts/diff/index.js';
import { loadContracts } from '../contracts/index.js';

/**
 * Prints, as the run begins, how many of the selected checks apply to the contract bundle (ANYCHAT_CONTRACTS):
 * `contract 364b5e2: 197 of 242 checks apply (45 not applicable)`. Each check's applicability comes from the same
 * annotations `checks list` reads (cite, needs), judged by contracts/applicability.ts.
 */
export default class ApplicabilityReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    const contracts = loadContracts(process.env.ANYCHAT_CONTRACTS || undefined);
    const tests = suite.allTests();
    const ann = (t: (typeof tests)[number], type: string) => t.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
    const ids = new Set<string>();
    const notApplicable = new Set<string>();
    for (const t of tests) {
      const id = ann(t, 'check-id')[0] ?? t.title;
      ids.add(id);
      if (!applicability({ cites: ann(t, 'cite'), needs: ann(t, 'needs') }, contracts).applicable) notApplicable.add(id);
    }
    const applying = ids.size - notApplicable.size;
    process.stdout.write(`contract ${contractVersion(contracts.bundle)}: ${applying} of ${ids.size} checks apply${notApplicable.size ? ` (${notApplicable.size} not applicable)` : ''}\n`);
  }
}
