/**
 * SLOW (minutes; `npm run test:e2e`). The ```sh blocks of the pages that start servers of their own
 * (docs/fuzzing.md, docs/browser.md, drivers/http/README.md) run as written (test/docs/doc-commands.ts).
 */
import { runPages } from './doc-commands.ts';

runPages('servers');
