// Worker threads do not inherit the main thread's tsx loader: register it here, then load the TypeScript thread.
// (Compiled JS starts checkpoint-thread.js directly; see checkpointer.ts.)
import { register } from 'tsx/esm/api';

register();
await import('./checkpoint-thread.ts');
