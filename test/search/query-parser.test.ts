import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isServiceError } from '../../src/errors.ts';
import { MAX_CLAUSES, MAX_QUERY_LENGTH, MAX_SLOP, parseQuery } from '../../src/search/query-parser.ts';
import type { AndNode, FieldRestriction, PhraseNode, QueryNode, TermNode } from '../../src/search/query.ts';

const term = (text: string, field: FieldRestriction = null): TermNode => ({ kind: 'term', term: text, mode: 'exact', distance: 0, field });
const prefix = (text: string, field: FieldRestriction = null): TermNode => ({ kind: 'term', term: text, mode: 'prefix', distance: 0, field });
const fuzzy = (text: string, distance: number): TermNode => ({ kind: 'term', term: text, mode: 'fuzzy', distance, field: null });
const phrase = (terms: string[], slop = 0, field: FieldRestriction = null): PhraseNode => ({ kind: 'phrase', terms, slop, field });
const and = (must: QueryNode[], not: QueryNode[] = []): AndNode => ({ kind: 'and', must, not });
const or = (...should: QueryNode[]): QueryNode => ({ kind: 'or', should });

/** The root of `q`'s parse. */
const root = (q: string): AndNode => parseQuery(q).root;

/** The message of the `bad_request` error `q` is refused with (fails the test otherwise). */
function refusal(q: string): string {
  try {
    parseQuery(q);
  } catch (error) {
    if (isServiceError(error) && error.code === 'bad_request') return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(q)} to be refused`);
}

describe('parseQuery', () => {
  describe('terms and operators', () => {
    it('ANDs the words separated by whitespace', () => {
      expect(root('gaza  truce\thostages')).toEqual(and([term('gaza'), term('truce'), term('hostages')]));
    });

    it('folds each word with the analyzer', () => {
      expect(root("Qatar's ÉLECTIONS U.S.")).toEqual(and([term('qatar'), term('elections'), term('us')]));
    });

    it('makes an OR of clauses joined by upper-case OR', () => {
      expect(root('iran OR qatar')).toEqual(and([or(term('iran'), term('qatar'))]));
    });

    it('binds OR tighter than the implicit AND', () => {
      expect(root('gaza iran OR qatar')).toEqual(and([term('gaza'), or(term('iran'), term('qatar'))]));
      expect(root('a OR b c OR d')).toEqual(and([or(term('a'), term('b')), or(term('c'), term('d'))]));
    });

    it('chains several ORs into one OR node', () => {
      expect(root('iran OR qatar OR egypt')).toEqual(and([or(term('iran'), term('qatar'), term('egypt'))]));
    });

    it('reads a lower-case or as a plain word', () => {
      expect(root('iran or qatar')).toEqual(and([term('iran'), term('or'), term('qatar')]));
    });

    it('groups with nested parentheses', () => {
      expect(root('gaza (iran OR (qatar egypt))')).toEqual(and([term('gaza'), or(term('iran'), and([term('qatar'), term('egypt')]))]));
      expect(root('(iran OR qatar) truce')).toEqual(and([or(term('iran'), term('qatar')), term('truce')]));
    });

    it('takes OR between a group and a word', () => {
      expect(root('(a b)OR c')).toEqual(and([or(and([term('a'), term('b')]), term('c'))]));
    });

    it('removes wrappers that hold a single clause', () => {
      expect(root('((gaza))')).toEqual(and([term('gaza')]));
      expect(root('(gaza (truce))')).toEqual(and([term('gaza'), term('truce')]));
    });
  });

  describe('phrases', () => {
    it('makes a phrase of the tokens between quotes, not stemmed and without compounds', () => {
      expect(root('"Four-Day truces"')).toEqual(and([phrase(['four', 'day', 'truces'])]));
    });

    it('keeps a quoted single word as a phrase of one term', () => {
      expect(root('"talks"')).toEqual(and([phrase(['talks'])]));
    });

    it('reads operators inside quotes as words', () => {
      expect(root('"iran OR -qatar (title:x)"')).toEqual(and([phrase(['iran', 'or', 'qatar', 'title', 'x'])]));
    });

    it('reads the slop after the closing quote', () => {
      expect(root('"hamas haniyeh"~3')).toEqual(and([phrase(['hamas', 'haniyeh'], 3)]));
      expect(root('"hamas haniyeh"~0')).toEqual(and([phrase(['hamas', 'haniyeh'], 0)]));
    });

    it('caps the slop', () => {
      expect(root('"hamas haniyeh"~99999999999999999999')).toEqual(and([phrase(['hamas', 'haniyeh'], MAX_SLOP)]));
    });

    it('ignores a tilde without a number after a phrase', () => {
      expect(root('"hamas haniyeh"~ gaza')).toEqual(and([phrase(['hamas', 'haniyeh']), term('gaza')]));
    });

    it('accepts typographic quotes', () => {
      expect(root('\u201Cgood stage\u201D')).toEqual(and([phrase(['good', 'stage'])]));
    });

    it('drops a phrase without a word', () => {
      expect(root('"" ". ,"~2 gaza')).toEqual(and([term('gaza')]));
    });
  });

  describe('exclusions', () => {
    it('excludes a term, a phrase and a group', () => {
      expect(root('gaza -israel -"united states" -(hamas leader)')).toEqual(
        and([term('gaza')], [term('israel'), phrase(['united', 'states']), and([term('hamas'), term('leader')])]),
      );
    });

    it('excludes from the whole sequence when an OR operand is excluded', () => {
      expect(root('iran OR -qatar')).toEqual(and([term('iran')], [term('qatar')]));
      expect(root('gaza (iran OR -qatar OR egypt)')).toEqual(and([term('gaza'), or(term('iran'), term('egypt'))], [term('qatar')]));
    });

    it('excludes each branch of an excluded OR', () => {
      expect(root('gaza -(iran OR qatar)')).toEqual(and([term('gaza')], [term('iran'), term('qatar')]));
    });

    it('reads a group of exclusions as exclusions of the enclosing sequence', () => {
      expect(root('gaza (-iran -qatar)')).toEqual(and([term('gaza')], [term('iran'), term('qatar')]));
    });

    it('reads an excluded group of exclusions as a positive OR', () => {
      expect(root('-(-iran -qatar)')).toEqual(and([or(term('iran'), term('qatar'))]));
    });

    it('keeps a hyphen inside a word as part of the word', () => {
      expect(root('gaza-israel')).toEqual(and([or(term('gazaisrael'), phrase(['gaza', 'israel']))]));
    });
  });

  describe('prefix and fuzzy terms', () => {
    it('reads a word ending in * as a prefix', () => {
      expect(root('Cease*')).toEqual(and([prefix('cease')]));
      expect(root('ab**')).toEqual(and([prefix('ab')]));
    });

    it('reads a prefix of fewer than 2 characters as a plain term', () => {
      expect(root('a* gaza')).toEqual(and([term('a'), term('gaza')]));
    });

    it('ignores * after a word of several tokens', () => {
      expect(root("l'arm*")).toEqual(and([phrase(['l', 'arm'])]));
    });

    it('reads a word ending in ~ as fuzzy with distance 1', () => {
      expect(root('haniya~')).toEqual(and([fuzzy('haniya', 1)]));
    });

    it('reads the distance after ~ and caps it at 2', () => {
      expect(root('haniya~2')).toEqual(and([fuzzy('haniya', 2)]));
      expect(root('haniya~7')).toEqual(and([fuzzy('haniya', 2)]));
    });

    it('reads distance 0 as an exact term', () => {
      expect(root('haniya~0')).toEqual(and([term('haniya')]));
    });
  });

  describe('field restrictions', () => {
    it('restricts a term and a phrase to one field', () => {
      expect(root('title:ceasefire text:"good stage"')).toEqual(and([term('ceasefire', 'title'), phrase(['good', 'stage'], 0, 'text')]));
    });

    it('reads field names in any case', () => {
      expect(root('TITLE:gaza Text:truce')).toEqual(and([term('gaza', 'title'), term('truce', 'text')]));
    });

    it('restricts every leaf of a group that has no restriction of its own', () => {
      expect(root('title:(gaza OR text:truce -hamas)')).toEqual(and([or(term('gaza', 'title'), term('truce', 'text'))], [term('hamas', 'title')]));
    });

    it('combines with exclusion, prefix and fuzzy operators', () => {
      expect(root('gaza -title:israel text:cease* title:haniya~2')).toEqual(
        and([term('gaza'), prefix('cease', 'text'), { ...fuzzy('haniya', 2), field: 'title' }], [term('israel', 'title')]),
      );
      expect(root('gaza title:-israel')).toEqual(and([term('gaza')], [term('israel', 'title')]));
    });

    it('restricts both forms of a hyphenated word', () => {
      expect(root('title:cease-fire')).toEqual(and([or(term('ceasefire', 'title'), phrase(['cease', 'fire'], 0, 'title'))]));
    });

    it('reads an unknown field as plain words', () => {
      expect(root('source:reuters')).toEqual(and([phrase(['source', 'reuters'])]));
    });

    it('reads a field name followed by a space as a word', () => {
      expect(root('title: gaza')).toEqual(and([term('title'), term('gaza')]));
    });
  });

  describe('words the analyzer splits', () => {
    it('matches a hyphenated word joined or as separate words', () => {
      expect(root('cease-fire')).toEqual(and([or(term('ceasefire'), phrase(['cease', 'fire']))]));
      expect(root('Amir-Abdollahian')).toEqual(and([or(term('amirabdollahian'), phrase(['amir', 'abdollahian']))]));
    });

    it('joins the hyphenated part of a longer word into a phrase', () => {
      expect(root('gaza,cease-fire')).toEqual(and([or(phrase(['gaza', 'ceasefire']), phrase(['gaza', 'cease', 'fire']))]));
    });

    it('reads a CJK run and an elision as phrases', () => {
      expect(root("北京 l'armée")).toEqual(and([phrase(['北', '京']), phrase(['l', 'armee'])]));
    });

    it('drops words made of punctuation only', () => {
      expect(root('gaza ... — & truce')).toEqual(and([term('gaza'), term('truce')]));
    });
  });

  describe('lenient reading of malformed syntax', () => {
    it('reads an unbalanced quote as if it were absent', () => {
      expect(root('"gaza truce')).toEqual(and([term('gaza'), term('truce')]));
      expect(root('gaza truce"')).toEqual(and([term('gaza'), term('truce')]));
      expect(root('"four day" truce"')).toEqual(and([phrase(['four', 'day']), term('truce')]));
      expect(root('-"israel gaza')).toEqual(and([term('gaza')], [term('israel')]));
    });

    it('closes an unclosed parenthesis at the end of the query', () => {
      expect(root('gaza (iran OR qatar')).toEqual(and([term('gaza'), or(term('iran'), term('qatar'))]));
    });

    it('skips a stray closing parenthesis', () => {
      expect(root('gaza) truce)')).toEqual(and([term('gaza'), term('truce')]));
    });

    it('reads a dangling OR as the word or', () => {
      expect(root('OR iran')).toEqual(and([term('or'), term('iran')]));
      expect(root('iran OR')).toEqual(and([term('iran'), term('or')]));
      expect(root('(iran OR) qatar')).toEqual(and([term('iran'), term('or'), term('qatar')]));
    });

    it('collapses repeated ORs into one', () => {
      expect(root('iran OR OR qatar')).toEqual(and([or(term('iran'), term('qatar'))]));
    });

    it('ignores a lone -, * or ~', () => {
      expect(root('gaza - truce * ~ -')).toEqual(and([term('gaza'), term('truce')]));
      expect(root('gaza --')).toEqual(and([term('gaza')]));
    });

    it('parses a query of 1,000 opening parentheses around a word', () => {
      expect(root(`${'('.repeat(MAX_QUERY_LENGTH - 4)}gaza`)).toEqual(and([term('gaza')]));
    });
  });

  describe('limits', () => {
    it('counts terms and phrases, excluded ones and both forms of hyphenated words included', () => {
      expect(parseQuery('gaza "four day" -israel cease-fire (a OR b)').clauses).toBe(7);
    });

    it('accepts 1,000 characters', () => {
      expect(parseQuery(`gaza${' '.repeat(MAX_QUERY_LENGTH - 4)}`).clauses).toBe(1);
    });

    it('returns 400 when q is over 1,000 characters', () => {
      expect(refusal('a'.repeat(MAX_QUERY_LENGTH + 1))).toMatch(/q must be at most 1000 characters, got 1001/);
    });

    it('accepts 64 clauses', () => {
      expect(parseQuery(Array.from({ length: MAX_CLAUSES }, (_, i) => `w${i}`).join(' ')).clauses).toBe(MAX_CLAUSES);
    });

    it('returns 400 when q has over 64 clauses', () => {
      const words = Array.from({ length: MAX_CLAUSES + 1 }, (_, i) => `w${i}`);
      expect(refusal(words.join(' '))).toMatch(/at most 64 terms and phrases, got 65/);
      expect(refusal(words.map((word) => `-${word}`).join(' ').replace('-', ''))).toMatch(/got 65/);
      expect(refusal(Array.from({ length: 33 }, (_, i) => `x${i}-y`).join(' '))).toMatch(/got 66/);
    });

    it('returns 400 when q is empty or blank', () => {
      expect(refusal('')).toMatch(/at least one term or phrase/);
      expect(refusal(' \t\n')).toMatch(/at least one term or phrase/);
    });

    it('returns 400 when q only excludes', () => {
      expect(refusal('-israel -"united states"')).toMatch(/exclusions alone/);
      expect(refusal('-(gaza truce)')).toMatch(/at least one term or phrase/);
      expect(refusal('-iran OR -qatar')).toMatch(/at least one term or phrase/);
    });

    it('returns 400 when q holds only punctuation or operators', () => {
      expect(refusal('... !? —')).toMatch(/got "... !\? —"/);
      expect(refusal('( ) " * ~ -')).toMatch(/at least one term or phrase/);
    });
  });

  describe('properties', () => {
    /** Query-like strings: words, operators and punctuation in any order. */
    const queryLike = fc
      .array(
        fc.constantFrom('gaza', 'Truce', 'OR', 'or', '-', '"', '\u201C', '(', ')', '*', '~', '~2', '~x', 'title:', 'TEXT:', 'foo:', ' ', ' ', 'cease-fire', "l'armée", '北京', 'é', '\u00AD', '😀', ',', '.', ':', 'a'),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));
    const anyQuery = fc.oneof(queryLike, fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

    /** Checks the shape of a parse: simplified, every leaf has a term, the clause count is right. */
    function checkShape(node: QueryNode, isRoot: boolean): number {
      switch (node.kind) {
        case 'term':
          expect(node.term.length).toBeGreaterThan(0);
          expect(node.distance).toBeLessThanOrEqual(2);
          return 1;
        case 'phrase':
          expect(node.terms.length).toBeGreaterThan(0);
          expect(node.slop).toBeGreaterThanOrEqual(0);
          expect(node.slop).toBeLessThanOrEqual(MAX_SLOP);
          return 1;
        case 'or':
          expect(node.should.length).toBeGreaterThan(1);
          return node.should.reduce((sum, child) => {
            expect(child.kind).not.toBe('or');
            return sum + checkShape(child, false);
          }, 0);
        case 'and':
          expect(node.must.length).toBeGreaterThan(0);
          if (!isRoot) expect(node.must.length + node.not.length).toBeGreaterThan(1);
          for (const child of node.must) expect(child.kind).not.toBe('and');
          return [...node.must, ...node.not].reduce((sum, child) => sum + checkShape(child, false), 0);
      }
    }

    it('never throws anything but a bad_request error', () => {
      fc.assert(
        fc.property(anyQuery, (q) => {
          try {
            parseQuery(q);
          } catch (error) {
            expect(isServiceError(error) && error.code === 'bad_request').toBe(true);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('refuses queries of 10,000 characters with a bad_request error', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', minLength: 10_000, maxLength: 10_000 }), (q) => {
          expect(() => parseQuery(q)).toThrow(/q must be at most 1000 characters/);
        }),
        { numRuns: 10 },
      );
      expect(refusal('"('.repeat(5_000))).toMatch(/got 10000/);
    });

    it('returns a simplified tree with at least one positive clause and its leaves counted', () => {
      fc.assert(
        fc.property(anyQuery, (q) => {
          let parsed;
          try {
            parsed = parseQuery(q);
          } catch {
            return;
          }
          expect(parsed.root.kind).toBe('and');
          expect(checkShape(parsed.root, true)).toBe(parsed.clauses);
          expect(parsed.clauses).toBeLessThanOrEqual(MAX_CLAUSES);
        }),
        { numRuns: 500 },
      );
    });
  });
});
