import { drawQueries } from './src/bench/run.ts';
import { serviceSyntax } from './src/bench/queries.ts';
import { openDatabase } from './src/backends/postgres/connection.ts';
import { runSearch } from './src/backends/postgres/search.ts';
import { parseQuery } from './src/search/query-parser.ts';
import { DEFAULT_SEARCH_REQUEST } from './src/backends/backend.ts';
import { performance } from 'node:perf_hooks';
const url = process.argv[2]!;
const type = (process.argv[3] ?? 'two terms') as 'two terms';
const { queries } = await drawQueries({ corpusPath: '/work/shared/corpus/reuters-21578.jsonl', seed: 20_231_124, queries: 300 } as any, () => {});
const db = openDatabase(url, () => undefined, 2);
const times: number[] = [];
let cpu = 0;
for (const pass of [0, 1, 2]) {
  for (const query of queries[type]) {
    const q = serviceSyntax(query);
    const c = process.cpuUsage();
    const t = performance.now();
    await runSearch(db, parseQuery(q), DEFAULT_SEARCH_REQUEST);
    if (pass > 0) { times.push(performance.now() - t); const d = process.cpuUsage(c); cpu += (d.user + d.system) / 1000; }
  }
}
const s = [...times].sort((a, b) => a - b);
console.log('p50', s[Math.floor(s.length / 2)], 'p99', s[Math.floor(s.length * 0.99)], 'wall', times.reduce((a, b) => a + b, 0), 'cpu', cpu);
await db.close();
