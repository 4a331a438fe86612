#!/usr/bin/env node
// The anychat-conform command. It runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader), which
// `npm run build` writes and `prepare` (npm ci) and `prepack` (npm pack) run. In a repository checkout whose dist/ is
// missing or older than the TypeScript sources, it runs the sources through tsx instead, so a source edit is never
// tested against stale JavaScript; the installed package has no sources and always runs dist/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A closed pipe (`… | head`) is not an error worth a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(root, 'dist', '.build-stamp');

/** In a checkout: is any source (the folders tsconfig.build.json compiles) newer than the last build? */
function sourcesNewerThanBuild() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  for (const entry of include) {
    const path = join(root, entry);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true }).map((f) => join(path, String(f)))
      : [path];
    if (files.some((f) => !f.endsWith('.md') && statSync(f).mtimeMs > built)) return true;
  }
  return false;
}

let entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(join(root, 'cli', 'main.ts')) && sourcesNewerThanBuild()) {
  if (process.stderr.isTTY) process.stderr.write('anychat-conform: dist/ is older than the sources; running them through tsx (npm run build to compile)\n');
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../cli/main.ts', import.meta.url);
} else if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('anychat-conform: the compiled CLI (dist/) is missing from this installation; reinstall the package\n');
  process.exit(2);
} else {
  // Stack traces of the compiled code point at the TypeScript sources.
  process.setSourceMapsEnabled(true);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
