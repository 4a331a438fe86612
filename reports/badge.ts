import { score, type ConformanceReport } from './model.js';

/** A shields.io-style flat badge: "AnyChat conformance | MUST 100%" (skipped MUST checks count against the score). */
export function renderBadge(report: ConformanceReport): string {
  const s = score(report.summary.byLevel.MUST);
  const label = 'AnyChat conformance';
  const value = s === null ? 'MUST n/a' : `MUST ${s}%`;
  const color = s === null ? '#9f9f9f' : s === 100 ? '#4c1' : s >= 90 ? '#dfb317' : '#e05d44';
  const lw = textWidth(label) + 10;
  const vw = textWidth(value) + 10;
  const w = lw + vw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${label}: ${value}">
<title>${label}: ${value}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>
<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${value}</text><text x="${lw + vw / 2}" y="14">${value}</text>
</g>
</svg>
`;
}

/** Approximate Verdana 11px advance widths; exact enough for a badge. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[ il.|:!']/.test(ch) ? 3.5 : /[MWmw%]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}
