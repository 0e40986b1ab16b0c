import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchLibrary as search } from '../../../src/service/library-search.ts';
import { DEFAULT_SEARCH_PARAMS } from '../../../src/service/search-service.ts';
import { loadEngine, type SearchEngine } from '../../../src/backends/embedded/engine.ts';
import { runToEnd } from '../../../src/backends/pace.ts';
import MiniSearch, { type Query } from 'minisearch';
import { miniSearchOptions, type ParagraphDoc } from '../../../src/backends/embedded/engine.ts';
import { executeQueryInSteps, SnapshotPostings, type Internals } from '../../../src/backends/embedded/minisearch-internals.ts';
import { Vocabulary } from '../../../src/backends/embedded/vocabulary.ts';
import { evaluateTree, treeOf } from '../../../src/backends/embedded/query-tree.ts';
import { parseQuery } from '../../../src/search/query-parser.ts';
import { libraryOf, makeArticle } from '../../helpers.ts';

const WORDS = ['truce', 'truces', 'gaza', 'talk', 'talks', 'tally', 'tax', 'iran', 'qatar', 'war', 'the', 'chief', 'chef'];
const corpus = fc.array(
  fc.record({
    title: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((words) => words.join(' ')),
    paragraphs: fc.array(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 10 }).map((words) => words.join(' ')), { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Keywords, and prefixes and fuzzy terms that expand to one or several stems. */
const CLAUSES = [...WORDS, 'ta*', 'tal*', 'tr*', 'ch*', 'talkz~', 'truse~', 'wars~', 'chaf~'];

describe('engine conjunctions', () => {
  it('score exactly as MiniSearch scores the same query tree', () => {
    fc.assert(
      fc.property(corpus, fc.array(fc.constantFrom(...CLAUSES), { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom(...CLAUSES), { nil: undefined }), (articles, words, excluded) => {
        const library = libraryOf(articles.map((article, i) => makeArticle({ id: `a${i}`, ...article })));
        const params = { ...DEFAULT_SEARCH_PARAMS, limit: 100, mode: 'all' as const };
        const exclusion = excluded === undefined ? '' : ` -${excluded}`;
        // An OR with a word in no paragraph sends the query down MiniSearch's own query tree.
        const direct = search(library, `${words.join(' ')}${exclusion}`, params);
        const throughTree = search(library, `(${words[0]} OR zzzabsent) ${words.slice(1).join(' ')}${exclusion}`, params);
        expect(direct.total).toBe(throughTree.total);
        const scores = (response: typeof direct) => new Map(response.hits.map((hit) => [hit.id, hit.score]));
        expect(scores(direct)).toEqual(scores(throughTree));
      }),
      { numRuns: 300 },
    );
  });
});

/** An engine's records with each term's postings keyed by term (a loaded radix tree may list its terms in another order). */
function canonical(engine: SearchEngine) {
  const terms = new Map<string, Array<number | string>>();
  const rest = [];
  for (const record of engine.records()) {
    if (record[0] !== 'postings') {
      rest.push(record);
      continue;
    }
    const data = [...new Int32Array(new Uint8Array(Buffer.from(record[1].data, 'base64')).buffer)];
    let at = 0;
    for (const term of record[1].terms) {
      const start = at;
      at += 1;
      for (let fields = data[start] as number; fields > 0; fields -= 1) at += 2 + 2 * (data[at + 1] as number);
      terms.set(term, data.slice(start, at));
    }
  }
  return { rest, terms };
}

describe('engine snapshot records', () => {
  const library = libraryOf([makeArticle({ id: 'a', title: 'Truce talks', paragraphs: ['The truce holds.', 'Talks resume in Doha.'] })]);
  const records = [...library.engine.records()];

  it('load back into an engine that finds the same paragraphs and words', () => {
    const loaded = loadEngine(records);
    expect(loaded.stats()).toEqual(library.engine.stats());
    expect(loaded.completions('tr', 5)).toEqual(library.engine.completions('tr', 5));
    const ids = (engine: SearchEngine, q: string) => {
      const found: string[] = [];
      const { root } = parseQuery(q);
      runToEnd(engine.prepare(root, engine.expand(root)).run((id) => found.push(id), () => false));
      return found.sort();
    };
    for (const q of ['truce', 'talk*', 'doha -truce', 'resum~']) expect(ids(loaded, q)).toEqual(ids(library.engine, q));
  });

  it('load back into an engine that scores, changes and saves as the one it came from', () => {
    const change = fc.oneof(
      fc.record({ add: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }) }),
      fc.record({ remove: fc.nat() }),
    );
    fc.assert(
      fc.property(corpus, fc.array(change, { maxLength: 6 }), (articles, changes) => {
        const original = libraryOf(articles.map((article, i) => makeArticle({ id: `a${i}`, ...article }))).engine;
        const loaded = loadEngine([...original.records()]);
        const found = (engine: SearchEngine, q: string) => {
          const hits: Array<[string, number]> = [];
          const { root } = parseQuery(q);
          runToEnd(engine.prepare(root, engine.expand(root)).run((id, score) => hits.push([id, score]), () => false));
          return hits.sort((a, b) => (a[0] < b[0] ? -1 : 1));
        };
        const same = () => {
          for (const q of ['truce', 'talk gaza', 'the -war', 'tr* OR qatar', 'title:chief']) expect(found(loaded, q)).toEqual(found(original, q));
          expect(loaded.stats()).toEqual(original.stats());
        };
        same();
        let added = 0;
        for (const step of changes) {
          if ('add' in step) {
            const doc = { id: `new${added++}:1`, title: 'New', text: step.add.join(' ') };
            original.add([doc]);
            loaded.add([doc]);
          } else {
            const ids = [...original.records()].flatMap((record) => (record[0] === 'documents' ? record[1].filter((value) => typeof value === 'string') : []));
            const id = ids[step.remove % Math.max(1, ids.length)];
            if (id !== undefined) {
              original.remove([id as string]);
              loaded.remove([id as string]);
            }
          }
          same();
        }
        expect(canonical(loaded)).toEqual(canonical(original));
      }),
      { numRuns: 100 },
    );
  });

  it('refuse records out of order, unknown or malformed, naming what is wrong', () => {
    const [meta] = records;
    expect(() => loadEngine([])).toThrow('no "meta" record');
    expect(() => loadEngine([['terms', []], meta])).toThrow('"terms" before "meta"');
    expect(() => loadEngine([meta, ['posting-lists', []]])).toThrow('unknown record "posting-lists"');
    const postings = (terms: unknown[], data: number[]) => ['postings', { terms, data: Buffer.from(Int32Array.from(data).buffer).toString('base64') }];
    expect(() => loadEngine([meta, postings(['truce'], [1, 0, 1, 0, 1])])).not.toThrow();
    expect(() => loadEngine([meta, postings(['truce'], [1, 0, 2, 0, 1])])).toThrow('malformed: postings'); // two paragraphs, one pair
    expect(() => loadEngine([meta, postings(['truce', 'talk'], [1, 0, 1, 0, 1])])).toThrow('malformed: postings'); // no data for talk
    expect(() => loadEngine([meta, postings(['truce'], [1, 0, 1, 0, 1, 7])])).toThrow('malformed: postings'); // left over
    expect(() => loadEngine([meta, postings([1], [1, 0, 1, 0, 1])])).toThrow('malformed: postings');
    expect(() => loadEngine([meta, ['postings', { terms: ['truce'], data: 'AAA' }]])).toThrow('malformed: postings');
    expect(() => loadEngine([meta, ['postings', [1, 2]]])).toThrow('malformed: postings');
    expect(() => loadEngine([meta, ['documents', ['a:1', 0, 3, 3]]])).toThrow('malformed: documents');
  });
});

describe('postings read from a snapshot', () => {
  it('behave as the map they stand for, through every method', () => {
    // Two fields: 0 holds paragraphs 3 and 5, 1 holds paragraph 5.
    const table = Int32Array.from([0, 2, 0, 2, 3, 1, 5, 2, 1, 1, 5, 4, 0]);
    const fresh = () => new SnapshotPostings(table, 1, 12);
    const plain = new Map([
      [0, new Map([[3, 1], [5, 2]])],
      [1, new Map([[5, 4]])],
    ]);
    expect(fresh().size).toBe(2);
    expect(fresh().get(0)).toEqual(plain.get(0));
    expect(fresh().has(1)).toBe(true);
    expect(fresh().has(2)).toBe(false);
    expect([...fresh()]).toEqual([...plain]);
    expect([...fresh().keys()]).toEqual([...plain.keys()]);
    expect([...fresh().values()]).toEqual([...plain.values()]);
    expect([...fresh().entries()]).toEqual([...plain.entries()]);
    const seen: number[] = [];
    fresh().forEach((_, fieldId) => seen.push(fieldId));
    expect(seen).toEqual([0, 1]);
    const changed = fresh();
    expect(changed.delete(0)).toBe(true);
    changed.set(2, new Map([[7, 1]]));
    expect([...changed.keys()]).toEqual([1, 2]);
    const cleared = fresh();
    cleared.clear();
    expect(cleared.size).toBe(0);
  });
});

describe('engine staging', () => {
  const queries = ['harvest', 'harv*', 'harvst~', '"wheat harvest"', 'harvest OR zzzabsent', 'harvest -barley', 'title:report'];

  it('hides staged paragraphs from every kind of query until they are revealed', () => {
    const library = libraryOf([makeArticle({ id: 'old', title: 'Old report', paragraphs: ['The wheat harvest began.'] })]);
    const totals = () => queries.map((q) => search(library, q).total);
    const before = totals();
    library.engine.stage([{ id: 'new:1', title: 'New report', text: 'A wheat harvest record.' }]);
    expect(totals()).toEqual(before);
    expect(library.engine.stats().paragraphs).toBe(1);
    expect(library.engine.has('new:1')).toBe(false);
    library.engine.reveal(['new:1']);
    expect(library.engine.has('new:1')).toBe(true);
    expect(library.engine.stats().paragraphs).toBe(2);
    expect(() => [...library.engine.records()]).not.toThrow();
  });

  it('stages a paragraph under an id still in use, and reveals it once the old one is removed', () => {
    const library = libraryOf([makeArticle({ id: 'a', paragraphs: ['Barley fell.'] })]);
    library.engine.stage([{ id: 'a:1', title: 'Article a', text: 'Oats rose.' }]);
    expect(() => [...library.engine.records()]).toThrow(/staged/);
    expect(() => library.engine.reveal(['a:1'])).toThrow(/in use/);
    library.engine.remove(['a:1']);
    library.engine.reveal(['a:1']);
    expect(library.engine.has('a:1')).toBe(true);
  });

  it('drops staged paragraphs that are not revealed', () => {
    const library = libraryOf([]);
    library.engine.stage([{ id: 'x:1', title: 'X', text: 'Quinoa.' }]);
    library.engine.unstage(['x:1']);
    library.engine.reveal(['x:1']);
    expect(library.engine.has('x:1')).toBe(false);
    expect(library.engine.stats().paragraphs).toBe(0);
  });
});

type Tree = string | { queries: Tree[]; combineWith?: 'OR' | 'AND' | 'AND_NOT'; fields?: string[] };
const STEMS = ['truce', 'gaza', 'talk', 'tax', 'iran', 'qatar', 'war', 'the', 'chief', 'chef', 'absent'];
/** MiniSearch query trees over these stems: nodes of up to four children, combined some way, for some fields or all. */
const tree: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...STEMS),
    fc.record(
      {
        queries: fc.array(tie('node'), { minLength: 0, maxLength: 4 }),
        combineWith: fc.constantFrom('OR' as const, 'AND' as const, 'AND_NOT' as const),
        fields: fc.constantFrom(['title'], ['text'], ['title', 'text']),
      },
      { requiredKeys: ['queries'] },
    ),
  ),
})).node as fc.Arbitrary<Tree>;

/**
 * Two identical indexes of `articles`, the paragraphs picked by `discarded` discarded in both: a
 * search removes the postings of discarded paragraphs as it meets them, so each way of searching
 * gets its own, and the two can be compared afterwards.
 */
function twinIndexes(articles: Array<{ title: string; paragraphs: string[] }>, discarded: number[]): [Internals, Internals] {
  const twin = (exact: boolean) => {
    const index = new MiniSearch<ParagraphDoc>(miniSearchOptions(new Vocabulary()));
    const docs = articles.flatMap((article, i) => article.paragraphs.map((text, p) => ({ id: `a${i}:${p + 1}`, title: article.title, text })));
    index.addAll(docs);
    for (const pick of discarded) {
      const doc = docs[pick % Math.max(1, docs.length)];
      if (doc === undefined || !index.has(doc.id)) continue;
      if (exact) index.remove(doc);
      else index.discard(doc.id);
    }
    return index as unknown as Internals;
  };
  // Ours works on discarded paragraphs (not vacuumed yet); MiniSearch's outcome is taken with them
  // removed for good, as after a vacuum: ours scores with the exact document frequencies meanwhile.
  return [twin(false), twin(true)];
}

/** The tree as MiniSearch's executeQuery takes it: a lone stem inside a node. */
const rootOf = (query: Tree): Query => (typeof query === 'string' ? { queries: [query], combineWith: 'OR' } : query) as Query;

describe('evaluateTree', () => {
  it("gives MiniSearch's own executeQuery outcome, to the last bit, pausing or not", () => {
    fc.assert(
      fc.property(corpus, tree, fc.boolean(), fc.array(fc.nat(), { maxLength: 3 }), (articles, query, pausing, discarded) => {
        const [dense, plain] = twinIndexes(articles, discarded);
        const root = rootOf(query);
        const evaluable = treeOf(root);
        const leaves = JSON.stringify(root).match(/"[a-z]+"/g)?.filter((word) => STEMS.includes(word.slice(1, -1))) ?? [];
        expect(evaluable === null).toBe(new Set(leaves).size < leaves.length);
        if (evaluable === null) return;
        let calls = 0;
        const matches = runToEnd(evaluateTree(dense, evaluable, () => pausing && ++calls % 2 === 0));
        const expected = plain.executeQuery(root);
        const got = new Map(matches.docs.filter((doc) => matches.terms[doc] !== 0).map((doc) => [doc, { score: matches.score[doc], terms: matches.terms[doc], fields: matches.fields[doc] }]));
        const fieldBits = (match: Record<string, string[]>) => Object.values(match).flat().reduce((bits, field) => bits | (1 << (plain._fieldIds[field] as number)), 0);
        expect(got).toEqual(new Map([...expected].map(([doc, raw]) => [doc, { score: raw.score, terms: raw.terms.length, fields: fieldBits(raw.match) }])));
        expect(matches.docs.length).toBe(got.size);
        // The discarded postings it dropped on the way change nothing the next search sees.
        const again = runToEnd(evaluateTree(dense, evaluable, () => false));
        expect(again.docs.map((doc) => [doc, again.score[doc], again.terms[doc], again.fields[doc]])).toEqual(matches.docs.map((doc) => [doc, matches.score[doc], matches.terms[doc], matches.fields[doc]]));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('executeQueryInSteps', () => {
  it("gives MiniSearch's own executeQuery outcome, pausing or not", () => {
    fc.assert(
      fc.property(corpus, tree, fc.boolean(), fc.array(fc.nat(), { maxLength: 3 }), (articles, query, pausing, discarded) => {
        const [stepping, plain] = twinIndexes(articles, discarded);
        let calls = 0;
        const stepped = runToEnd(executeQueryInSteps(stepping, rootOf(query), () => pausing && ++calls % 2 === 0));
        expect(stepped).toEqual(plain.executeQuery(rootOf(query)));
        expect(runToEnd(executeQueryInSteps(stepping, rootOf(query), () => false))).toEqual(stepped);
      }),
      { numRuns: 300 },
    );
  });
});

