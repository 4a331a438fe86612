// prepack, after the build: lists every check of the compiled suites once (as `checks list` does, through Playwright)
// and stores the catalogue in dist/, keyed to the compiled code and the contract bundle, so `checks list` in the
// installed package answers without starting Playwright (cli/packed-catalogue.ts). A suite that fails to load fails the pack.
const { listChecks } = await import(new URL('../dist/cli/checks.js', import.meta.url).href);
const { SUITES } = await import(new URL('../dist/cli/config.js', import.meta.url).href);
const { locateBundle } = await import(new URL('../dist/contracts/locate.js', import.meta.url).href);
const { writePackedCatalogue, PACKED_CATALOGUE } = await import(new URL('../dist/cli/packed-catalogue.js', import.meta.url).href);

const { entries, errors } = await listChecks({ suites: [...SUITES], live: true });
if (errors.length) {
  for (const e of errors) console.error(`anychat-conform: a suite failed to load: ${e}`);
  process.exit(1);
}
writePackedCatalogue(locateBundle().dir, entries);
console.log(`anychat-conform: ${entries.length} checks listed into ${PACKED_CATALOGUE}`);
