/**
 * The first line of a failure message, made to stand alone on the console: a heading ending in ':' (a sweep's
 * "14 of 73 failed:") takes the items listed under it ("- …" lines), so no heading is printed with nothing after it.
 */
export function headline(message: string, max = 240): string {
  const lines = message.split('\n');
  let head = (lines[0] ?? '').trim();
  if (head.endsWith(':')) {
    const items = lines.slice(1).filter((l) => /^\s*[-•*]\s/.test(l)).map((l) => l.replace(/^\s*[-•*]\s+/, '').trim());
    if (items.length) head = `${head} ${items.join('; ')}`;
  }
  return head.length > max ? `${head.slice(0, max - 1)}…` : head;
}
