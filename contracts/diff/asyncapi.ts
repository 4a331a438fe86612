import type { DiffInput as Contracts } from './index.js';
import { ASYNCAPI_FILE, NOTIFICATION_ENUM_POINTER } from '../catalogue.js';
import { matchRenamedByPrefix, RENAMED } from './cross.js';
import { diffSchema, type SchemaSide } from './schema.js';
import type { Change } from './rules.js';

/** WebSocket: messages added / removed, their payloads, and the notification types (renames by shared prefix). */
export function diffAsyncApi(a: Contracts, b: Contracts): Change[] {
  const out: Change[] = [];
  const oldSide: SchemaSide = { doc: a.bundle.asyncapi, file: ASYNCAPI_FILE };
  const newSide: SchemaSide = { doc: b.bundle.asyncapi, file: ASYNCAPI_FILE };
  const oldMsgs = new Map(a.catalogue.wsMessages.map((m) => [m.name, m]));
  const newMsgs = new Map(b.catalogue.wsMessages.map((m) => [m.name, m]));
  const seen = new Set<string>();
  for (const [name, m] of oldMsgs) if (!newMsgs.has(name)) out.push({ rule: 'ws.message.removed', subject: `${name} (${m.direction})`, old: m.cite });
  for (const [name, m] of newMsgs) if (!oldMsgs.has(name)) out.push({ rule: 'ws.message.added', subject: `${name} (${m.direction})`, new: m.cite });
  for (const [name, o] of oldMsgs) {
    const n = newMsgs.get(name);
    if (!n) continue;
    const prefix = n.direction === 'publish' ? 'ws.publish' : 'ws.subscribe';
    const os = a.bundle.asyncapi.components?.messages?.[o.component]?.payload;
    const ns = b.bundle.asyncapi.components?.messages?.[n.component]?.payload;
    if (!os || !ns) continue;
    diffSchema(
      { prefix, casingRule: 'ws.schema.casing-changed', old: oldSide, new: newSide, seen, out, skipEnumAt: new Set([NOTIFICATION_ENUM_POINTER]) },
      { schema: os, ptr: `${o.pointer}/payload`, label: name, path: '' },
      { schema: ns, ptr: `${n.pointer}/payload`, label: name, path: '' },
    );
  }
  const ot = new Set(a.catalogue.notificationTypes);
  const nt = new Set(b.catalogue.notificationTypes);
  const removed = [...ot].filter((t) => !nt.has(t));
  const added = [...nt].filter((t) => !ot.has(t));
  const renames = matchRenamedByPrefix(removed, added);
  const renamedOld = new Set(renames.map(([r]) => r));
  const renamedNew = new Set(renames.map(([, x]) => x));
  const where = { old: a.catalogue.notificationTypesCite, new: b.catalogue.notificationTypesCite };
  for (const t of removed) if (!renamedOld.has(t)) out.push({ rule: 'ws.notification.removed', subject: t, ...where });
  for (const t of added) if (!renamedNew.has(t)) out.push({ rule: 'ws.notification.added', subject: t, ...where });
  for (const [r, x] of renames) out.push({ rule: 'ws.notification.renamed', subject: `${r}${RENAMED}${x}`, ...where });
  return out;
}
