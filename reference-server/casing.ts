/** camelCase → snake_case for one key ('sessionId' → 'session_id'). */
export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Deep copy with every object key in snake_case (used only by the `rest.snake-case` fault and backend-shaped frames). */
export function toSnakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [snakeKey(k), toSnakeKeys(v)]));
  }
  return value;
}
