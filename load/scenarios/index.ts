import type { Scenario } from '../scenario.js';
import { chat, fanout } from './chat.js';
import { login } from './login.js';
import { restMix } from './rest-mix.js';
import { soak } from './soak.js';
import { sync } from './sync.js';

/** The built-in scenarios, by the name --scenario and `extends` use. */
export const BUILTIN_SCENARIOS: Record<string, Scenario> = Object.fromEntries(
  [login, chat, fanout, sync, soak, restMix].map((s) => [s.name, s]),
);
