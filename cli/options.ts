import { InvalidArgumentError } from 'commander';
import { SetupError } from '../contracts/errors.js';

/** Parse an http(s) URL given on the command line; anything else is a usage error. */
export function parseTargetUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SetupError(`invalid target URL ${JSON.stringify(raw)}: expected http(s)://host[:port]`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SetupError(`invalid target URL ${JSON.stringify(raw)}: scheme must be http or https`);
  }
  return `${u.protocol}//${u.host}`;
}

export function intOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** host:port for gRPC addresses. */
export function parseAddress(v: string): string {
  if (!/^[\w.\-\[\]:]+:\d{1,5}$/.test(v)) throw new InvalidArgumentError(`expected host:port, got ${JSON.stringify(v)}`);
  return v;
}
