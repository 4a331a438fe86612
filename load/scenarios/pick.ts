/** A weighted random choice over `mix` (weights ≥ 0, at least one > 0). */
export function weightedPicker<K extends string>(mix: Record<K, number>): () => K {
  const keys = (Object.keys(mix) as K[]).filter((k) => mix[k] > 0);
  const cumulative: number[] = [];
  let total = 0;
  for (const k of keys) cumulative.push((total += mix[k]));
  return () => {
    const r = Math.random() * total;
    let i = 0;
    while (cumulative[i]! <= r && i < keys.length - 1) i++;
    return keys[i]!;
  };
}

/** Reject mix keys outside `known`, naming them and the known ones. */
export function checkMixKeys(mix: Record<string, number>, known: readonly string[]): void {
  const unknown = Object.keys(mix).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`mix: unknown operation(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${known.join(', ')})`);
}
