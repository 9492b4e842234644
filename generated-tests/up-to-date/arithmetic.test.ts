/** The committed pages, cursors and retries suites are what `npm run gen:tests` writes today (generated-tests/regenerate.ts). */
import { regenerates } from '../regenerate.js';

regenerates('arithmetic');
