/**
 * SLOW (minutes; `npm run test:e2e`). README.md's ```sh blocks run as written (test/docs/doc-commands.ts).
 */
import { runPages } from './doc-commands.ts';

runPages('readme');
