import type { Catalogue, RestOperation } from './catalogue.js';

/**
 * Which contract operations a concrete request path names: '/groups/g1/members' → the ops of '/groups/{id}/members'.
 * A path can match several templates ('/friends/requests' is also '/friends/{id}'); literal segments win, as in every
 * router, but `methodsFor` unions them all, so an undeclared method is one no matching template declares.
 */
export interface PathMatcher {
  /** Operations whose path template matches `path` (relative to the REST base), literal templates first. */
  opsFor(path: string): RestOperation[];
  /** The operation `method path` reaches, preferring the most literal template. */
  opFor(method: string, path: string): RestOperation | undefined;
  /** Every method some matching template declares (upper case, sorted); [] when no contract path matches. */
  methodsFor(path: string): string[];
}

export function pathMatcher(catalogue: Pick<Catalogue, 'operations'>): PathMatcher {
  const templates = catalogue.operations.map((op) => {
    const re = new RegExp(`^${op.path.split('/').map((seg) => (/^\{\w+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
    return { op, re, params: (op.path.match(/\{/g) ?? []).length };
  });
  const opsFor = (path: string) =>
    templates.filter((t) => t.re.test(path.split('?')[0]!)).sort((a, b) => a.params - b.params).map((t) => t.op);
  return {
    opsFor,
    opFor: (method, path) => opsFor(path).find((op) => op.method === method.toUpperCase()),
    methodsFor: (path) => [...new Set(opsFor(path).map((op) => op.method.toUpperCase()))].sort(),
  };
}
