#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader (no build step; Node 20 cannot strip types itself).
import { register } from 'tsx/esm/api';

// A closed pipe (`… | head`) is not an error worth a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
