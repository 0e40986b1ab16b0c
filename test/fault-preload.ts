/**
 * Loaded with `node --import` into a real server process by the fault-injection tests: reads
 * the faults to simulate from `NEWS_SEARCH_TEST_FAULTS` (JSON of {@link Faults}) and injects them.
 */
import { injectFaults, type Faults } from './fault-fs.ts';

const spec = process.env.NEWS_SEARCH_TEST_FAULTS;
if (spec !== undefined && spec !== '') injectFaults(JSON.parse(spec) as Faults);
