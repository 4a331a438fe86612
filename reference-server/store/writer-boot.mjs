// Worker threads do not inherit the main thread's tsx loader: register it here, then load the TypeScript writer.
// (Compiled JS starts writer-thread.js directly; see writer.ts.)
import { register } from 'tsx/esm/api';

register();
await import('./writer-thread.ts');
