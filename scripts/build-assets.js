// The second half of `npm run build` (after tsc): makes dist/ match the sources exactly, whatever files others add.
// - copies every non-TypeScript file a compiled module may read next to itself (e.g. new URL('x.json', import.meta.url)),
//   from the folders tsconfig.build.json compiles, except docs (*.md) and the tsx bootstrap that only the sources use;
// - removes compiled files whose source is gone (a deleted spec must not keep running from dist/);
// - writes what the compiled code generates once at build time instead of at every start (GENERATED);
// - writes dist/.build-stamp, which bin/anychat-conform.js compares with the sources' mtimes in a checkout.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
const SKIP = [/\.[cm]?ts$/, /\.md$/, /(^|\/)worker-boot\.mjs$/];

/** dist/-relative file → its content, made by the freshly compiled modules. */
const GENERATED = {
  // the AsyncAPI 2.6.0 schema as a standalone ajv validator (contracts/asyncapi-schema.ts loads it when present)
  'contracts/asyncapi-2.6.0.validate.cjs': async () => (await import(new URL('../dist/contracts/asyncapi-schema.js', import.meta.url).href)).asyncApiValidatorSource(),
};

const walk = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((f) => statSync(f).isFile());

const sources = new Set();
let copied = 0;
for (const entry of include) {
  const path = join(root, entry);
  if (!existsSync(path)) continue;
  for (const file of statSync(path).isDirectory() ? walk(path) : [path]) {
    const rel = relative(root, file).split('\\').join('/');
    sources.add(rel);
    if (SKIP.some((re) => re.test(rel))) continue;
    mkdirSync(dirname(join(dist, rel)), { recursive: true });
    copyFileSync(file, join(dist, rel));
    copied++;
  }
}

// A compiled file or copied asset is an orphan when neither its .ts source nor the asset itself exists any more.
let removed = 0;
for (const file of walk(dist)) {
  const rel = relative(dist, file).split('\\').join('/');
  if (!rel.includes('/') && !/\.js(\.map)?$/.test(rel)) continue; // .tsbuildinfo, .build-stamp, check-catalogue.json (keyed to the code)
  const compiledFrom = rel.replace(/\.js\.map$/, '.ts').replace(/\.js$/, '.ts').replace(/\.mjs(\.map)?$/, '.mts');
  if (sources.has(rel) || sources.has(compiledFrom) || rel in GENERATED) continue;
  rmSync(file);
  removed++;
}

// Rewritten only when changed, and by rename: tests may run the compiled CLI while `npm pack` rebuilds.
for (const [rel, make] of Object.entries(GENERATED)) {
  const file = join(dist, rel);
  const content = await make();
  if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
console.log(`build: dist/ ready (${copied} asset(s) copied, ${removed} orphan(s) removed, ${Object.keys(GENERATED).length} generated)`);
