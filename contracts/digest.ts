import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * sha256 of every file under `dir` that `keep` accepts (keyed by its path relative to `dir`) and one digest over them, sorted: what names a
 * contract bundle (or a build of the code) exactly. Cheap: no parsing, so usable before deciding to load anything.
 */
export function hashBundle(dir: string, keep: (path: string) => boolean = () => true): { hashes: Record<string, string>; digest: string } {
  const hashes: Record<string, string> = {};
  for (const file of listFiles(dir).sort()) {
    const path = relative(dir, file).split('\\').join('/');
    if (keep(path)) hashes[path] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  const digest = createHash('sha256')
    .update(Object.entries(hashes).map(([f, h]) => `${h}  ${f}`).join('\n'))
    .digest('hex');
  return { hashes, digest };
}
