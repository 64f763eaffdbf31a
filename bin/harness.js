#!/usr/bin/env node
// The harness runs its TypeScript sources directly: tsx compiles on the fly, so `npm ci` needs no build
// step and `harness.config.ts` loads the same way.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
