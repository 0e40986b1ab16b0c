import { readFileSync } from 'node:fs';
import { articleRows } from '/work/dev/src/backends/postgres/article-rows.ts';
import { pairLexemes } from '/work/dev/src/backends/postgres/lexemes.ts';
const lines = readFileSync('/work/shared/corpus/reuters-21578.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 2000);
let stems = new Set<string>(), pairs = new Set<string>(), stemEntries = 0, pairEntries = 0, paras = 0;
for (let i = 0; i < 500; i++) {
  const raw = JSON.parse(lines[i]!);
  const art = { id: String(i), title: raw.title ?? '', paragraphs: raw.paragraphs ?? [], source: null, date: null, url: null, caption: null, dateline: null, byline: null } as any;
  const rows = articleRows(art);
  for (const p of rows.paragraphs) {
    paras++;
    for (const k of p.text.stems.keys()) { stems.add(k); stemEntries++; }
    const ps = new Set(pairLexemes('text', p.text.words));
    for (const k of ps) { pairs.add(k); pairEntries++; }
  }
}
console.log({ paras, distinctStems: stems.size, stemEntries, distinctPairs: pairs.size, pairEntries });
