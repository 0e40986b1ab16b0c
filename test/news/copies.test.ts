import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { areCopies, bandKeys, copyPrint, jaccard, BANDS } from '../../src/news/copies.ts';
import { CopyClusters } from '../../src/backends/embedded/copy-clusters.ts';

/** A wire story of our own, eight paragraphs (one dropped is an eighth of its shingles: Jaccard about 0.87). */
const STORY = [
  'GENEVA, March 3 - Negotiators from both sides agreed on Tuesday to extend the truce by another four days, according to officials familiar with the talks.',
  'The extension, brokered by mediators from Qatar and Egypt, allows for the release of more hostages and the delivery of fuel to hospitals in the south.',
  'Aid agencies said the pause had let convoys reach areas that had been cut off for weeks, although supplies remained far below what was needed.',
  '"We are cautiously hopeful that this can become something more lasting," a senior diplomat told reporters outside the meeting room.',
  'Talks are expected to resume on Friday, when a broader agreement on prisoner exchanges and reconstruction funding will be discussed.',
  'Markets in the region rose on the news, with the main index in Cairo gaining almost two percent by the close of trading.',
  'Families of those still held gathered outside government offices, calling for every remaining captive to be included in the next round.',
  'The United Nations said it stood ready to expand its operations as soon as the crossings were opened for longer each day.',
];

/** The same story as another outlet would run it. */
const EDITS: Record<string, (paragraphs: string[]) => string[]> = {
  'a dateline line added': (p) => ['(Local Herald) —', ...p],
  'a paragraph dropped': (p) => p.filter((_, i) => i !== 3),
  'a paragraph added': (p) => [...p, 'Our correspondent in the region will follow the talks through the week.'],
  'a few words changed': (p) => p.map((text) => text.replace('Tuesday', 'Wednesday').replace('weeks', 'months')),
  'rewrapped, typographic quotes': (p) => p.map((text) => text.replace(/ /g, '\n  ').replace(/"([^"]*)"/g, '“$1”').replace(/'/g, '’')),
};

describe('copies', () => {
  for (const [edit, apply] of Object.entries(EDITS)) {
    it(`finds a story with ${edit} a copy`, () => {
      expect(areCopies(copyPrint(STORY), copyPrint(apply([...STORY])))).toBe(true);
    });
  }

  it('tells apart another story on the same topic', () => {
    const other = [
      'GENEVA, March 3 - Officials said on Tuesday that the truce could be extended, but negotiators gave no details of the terms under discussion.',
      'Mediators from Qatar and Egypt were shuttling between the delegations, and aid agencies urged both sides to let more fuel into hospitals.',
      'A senior diplomat said progress had been slow and that any agreement on prisoner exchanges was still some way off.',
    ];
    const similarity = jaccard(copyPrint(STORY).shingles, copyPrint(other).shingles);
    expect(similarity).toBeLessThan(0.1);
    expect(areCopies(copyPrint(STORY), copyPrint(other))).toBe(false);
  });

  it('tells apart stories written again from a template, whose figures differ', () => {
    const report = (day: number, amount: string, rate: string) => [
      `NEW YORK, March ${day} - The Federal Reserve entered the government securities market to arrange ${amount} of customer repurchase agreements, a Fed spokesman said.`,
      `Dealers said Federal funds were trading at ${rate} pct when the Fed began its temporary and indirect supply of reserves to the banking system.`,
      'Analysts had expected the Fed to add reserves, citing the need to offset the drain from higher Treasury balances at the central bank this week.',
    ];
    const monday = copyPrint(report(2, '1.5 billion dlrs', '6-3/16'));
    expect(areCopies(monday, copyPrint(report(3, '2.5 billion dlrs', '6-1/4')))).toBe(false);
    // The same report run again, its dateline line dropped: a copy.
    expect(areCopies(monday, copyPrint(report(2, '1.5 billion dlrs', '6-3/16').map((text) => text.replace('NEW YORK, March 2 - ', ''))))).toBe(true);
  });

  it('takes single paragraphs as copies only when their words are the same', () => {
    expect(areCopies(copyPrint(['Stocks fell.']), copyPrint(['STOCKS  fell!']))).toBe(true);
    expect(areCopies(copyPrint(['Stocks fell sharply.']), copyPrint(['Stocks fell sharply.', 'Bonds rose.']))).toBe(false);
    expect(areCopies(copyPrint(['Stocks fell.']), copyPrint(['Stocks rose.']))).toBe(false);
    expect(areCopies(copyPrint(['Stocks fell.']), copyPrint(['Stocks fell.', 'Bonds rose.']))).toBe(false);
  });

  it('measures Jaccard similarity of sorted sets', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(50)), fc.uniqueArray(fc.nat(50)), (a, b) => {
        const shared = a.filter((value) => b.includes(value)).length;
        const all = new Set([...a, ...b]).size;
        expect(jaccard(Uint32Array.from(a).sort(), Uint32Array.from(b).sort())).toBe(all === 0 ? 0 : shared / all);
      }),
    );
  });

  it('gives articles with the same shingles the same band keys, one per band', () => {
    const keys = bandKeys(copyPrint(STORY).shingles);
    expect(keys.length).toBe(BANDS);
    expect(bandKeys(copyPrint(EDITS['rewrapped, typographic quotes']!([...STORY])).shingles)).toEqual(keys);
    expect(bandKeys(new Uint32Array(0)).length).toBe(0);
  });
});

describe('copy clusters', () => {
  /** Articles made of a few of these sentences, so that some are copies of others. */
  const SENTENCES = STORY.concat(['Prices of wheat rose sharply in Chicago on fears of a poor harvest in the plains.', 'The central bank left its main rate unchanged for the sixth month in a row.']);
  const article = fc.array(fc.constantFrom(...SENTENCES), { minLength: 1, maxLength: 5 });
  const change = fc.oneof(fc.record({ put: fc.nat(7), paragraphs: article }), fc.record({ remove: fc.nat(7) }));

  /** Versions of {@link STORY} as outlets run it: most are copies of most others, not all (two edits apart can fall under the threshold). */
  const VERSIONS = [STORY, ...Object.values(EDITS).map((edit) => edit(STORY)), ...Object.values(EDITS).flatMap((first) => Object.values(EDITS).map((second) => second(first(STORY))))];
  const version = fc.constantFrom(...VERSIONS);
  const wireChange = fc.oneof(fc.record({ put: fc.nat(5), paragraphs: version }), fc.record({ remove: fc.nat(5) }));

  /** Applies `changes` to copy clusters and checks them against every pair checked by brute force. */
  const holdComponents = (changes: ReadonlyArray<{ put: number; paragraphs: string[] } | { remove: number }>) => {
    const clusters = new CopyClusters();
    const present = new Map<string, string[]>();
    const wordsOf = (id: string) => {
      const paragraphs = present.get(id);
      return paragraphs === undefined ? undefined : copyPrint(paragraphs).words;
    };
    for (const step of changes) {
      if ('put' in step) {
        present.set(`a${step.put}`, step.paragraphs);
        clusters.add(`a${step.put}`, copyPrint(step.paragraphs), wordsOf);
      } else {
        present.delete(`a${step.remove}`);
        clusters.remove(`a${step.remove}`, wordsOf);
      }
    }
    // Brute force: every pair checked, components by search.
    const ids = [...present.keys()];
    const component = (id: string) => {
      const seen = new Set([id]);
      const queue = [id];
      for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
        for (const other of ids) {
          if (!seen.has(other) && areCopies(copyPrint(present.get(next)!), copyPrint(present.get(other)!))) {
            seen.add(other);
            queue.push(other);
          }
        }
      }
      return [...seen].sort();
    };
    for (const id of ids) expect(clusters.cluster(id).sort()).toEqual(component(id));
    expect(clusters.size).toBe(ids.length);
  };

  it('hold exactly the connected components of the copy pairs among the articles present, as they come, change and go', () => {
    fc.assert(fc.property(fc.array(change, { maxLength: 25 }), holdComponents), { numRuns: 300 });
  });

  it('hold the components when most articles are copies of each other, and the article that joined them goes', () => {
    fc.assert(fc.property(fc.array(wireChange, { maxLength: 20 }), holdComponents), { numRuns: 300 });
  });

  it('keep two copies together when the article between them in the chain of recorded pairs goes', () => {
    // Copies: y–p, p–x, x–q, q–z and y–z. Put in the order x, p, q, y, z, the pairs recorded are
    // p–x, q–x, y–p and z–q (z joins the cluster through q and needs no pair with y). Removing x
    // leaves p–y and q–z, which y–z still holds together.
    const copies = new Set(['y p', 'p x', 'x q', 'q z', 'y z'].flatMap((pair) => [pair, pair.split(' ').reverse().join(' ')]));
    const clusters = new CopyClusters((id, _print, other) => copies.has(`${id} ${other}`));
    const print = copyPrint(STORY);
    for (const id of ['x', 'p', 'q', 'y', 'z']) clusters.add(id, print, () => print.words);
    expect([...clusters.pairs()].map((pair) => pair.sort().join('–')).sort()).toEqual(['p–x', 'p–y', 'q–x', 'q–z']);
    clusters.remove('x', () => print.words);
    expect(clusters.cluster('y').sort()).toEqual(['p', 'q', 'y', 'z']);
  });

  it('hold the components of any copy relation, however its pairs chain, as articles come and go', () => {
    // Every article the same print (so each is a candidate of every other), the decision an
    // arbitrary symmetric relation: clusters must be its connected components among the articles
    // present, whichever pairs were recorded. Relinking only a removed article's partners fails
    // this (a chain y–p–x–q–z with y and z copies: removing x must keep y and z together).
    const ARTICLES = 5;
    const ids = Array.from({ length: ARTICLES }, (_, a) => a);
    const allPairs = Array.from({ length: ARTICLES }, (_, a) => Array.from({ length: a }, (_, b) => [a, b] as const)).flat();
    // Cycles too: in a dense relation every article has a direct pair with most others, and only
    // in a sparse one, a cycle say, can a chain of recorded pairs be all that holds two copies together.
    const cycle = fc
      .shuffledSubarray(ids, { minLength: 3 })
      .map((order) => order.map((a, index) => [a, order[(index + 1) % order.length] as number] as const));
    const relation = fc.oneof(fc.subarray(allPairs), cycle);
    // Every article put first, in any order, so that most runs hold a cluster of several when one goes.
    const step = fc.oneof(fc.record({ put: fc.nat(ARTICLES - 1) }), fc.record({ remove: fc.nat(ARTICLES - 1) }));
    const steps = fc
      .tuple(fc.shuffledSubarray(ids, { minLength: ARTICLES }), fc.array(step, { maxLength: 20 }))
      .map(([order, rest]) => [...order.map((put) => ({ put })), ...rest]);
    fc.assert(
      fc.property(relation, steps, (edges, changes) => {
        const copies = new Set(edges.flatMap(([a, b]) => [`a${a} a${b}`, `a${b} a${a}`]));
        const clusters = new CopyClusters((id, _print, other) => copies.has(`${id} ${other}`));
        const print = copyPrint(STORY);
        const present = new Set<string>();
        for (const change of changes) {
          if ('put' in change) {
            present.add(`a${change.put}`);
            clusters.add(`a${change.put}`, print, () => print.words);
          } else {
            present.delete(`a${change.remove}`);
            clusters.remove(`a${change.remove}`, () => print.words);
          }
          for (const id of present) {
            const seen = new Set([id]);
            const queue = [id];
            for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
              for (const other of present) {
                if (!seen.has(other) && copies.has(`${next} ${other}`)) {
                  seen.add(other);
                  queue.push(other);
                }
              }
            }
            expect(clusters.cluster(id).sort()).toEqual([...seen].sort());
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keep one pair per copy of a story with many copies, and stay one cluster when the first goes', () => {
    const clusters = new CopyClusters();
    const print = copyPrint(STORY);
    const ids = Array.from({ length: 200 }, (_, index) => `copy-${index}`);
    for (const id of ids) clusters.add(id, print, () => print.words);
    expect([...clusters.pairs()]).toHaveLength(199);
    clusters.remove('copy-0', () => print.words);
    expect(clusters.cluster('copy-1')).toHaveLength(199);
    expect([...clusters.clusters()]).toHaveLength(1);
  });
});
