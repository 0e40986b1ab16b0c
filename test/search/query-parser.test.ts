import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isServiceError } from '../../src/errors.ts';
import { MAX_CLAUSES, MAX_QUERY_LENGTH, MAX_SLOP, parseQuery } from '../../src/search/query-parser.ts';
import type { AndNode, FieldRestriction, Link, NearNode, ParsedQuery, PhraseNode, QueryNode, TermNode } from '../../src/search/query.ts';

const term = (text: string, field: FieldRestriction = null): TermNode => ({ kind: 'term', term: text, mode: 'exact', distance: 0, field });
const prefix = (text: string, field: FieldRestriction = null): TermNode => ({ kind: 'term', term: text, mode: 'prefix', distance: 0, field });
const fuzzy = (text: string, distance: number): TermNode => ({ kind: 'term', term: text, mode: 'fuzzy', distance, field: null });
const phrase = (terms: string[], slop = 0, field: FieldRestriction = null): PhraseNode => ({ kind: 'phrase', terms, slop, field });
const and = (must: QueryNode[], not: QueryNode[] = []): AndNode => ({ kind: 'and', must, not });
const or = (...should: QueryNode[]): QueryNode => ({ kind: 'or', should });

/** The root of `q`'s parse. */
const root = (q: string): AndNode => parseQuery(q).root;

/** The parse of `q`, or null when it is refused with a `bad_request` error. */
function parsedOrNull(q: string): ParsedQuery | null {
  try {
    return parseQuery(q);
  } catch (error) {
    if (isServiceError(error) && error.code === 'bad_request') return null;
    throw error;
  }
}

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

    it('reads a word ending in ~ with AUTO fuzziness: no edit up to 2 letters, 1 up to 5, 2 beyond', () => {
      expect(root('haniya~')).toEqual(and([fuzzy('haniya', 2)]));
      expect(root('gaza~')).toEqual(and([fuzzy('gaza', 1)]));
      expect(root('un~')).toEqual(and([term('un')]));
      expect(parseQuery('un~').warnings).toEqual(['un~: too short for fuzzy matching (AUTO allows no edit up to 2 letters); read as a word']);
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

    it('drops a dangling OR and says so', () => {
      expect(root('OR iran')).toEqual(and([term('iran')]));
      expect(root('iran OR')).toEqual(and([term('iran')]));
      expect(root('(iran OR) qatar')).toEqual(and([term('iran'), term('qatar')]));
      expect(parseQuery('truce OR').warnings).toEqual(['a dangling OR is ignored']);
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

  describe('operators of round 2 (SPEC §4)', () => {
    const near = (operands: QueryNode[], ...links: Link[]): NearNode => ({ kind: 'near', operands, links });
    const words = (distance: number, ordered = false): Link => ({ unit: 'words', distance, ordered });

    it('reads upper-case AND, && and +term as the implicit AND', () => {
      const expected = and([term('gaza'), term('truce')]);
      expect(root('gaza AND truce')).toEqual(expected);
      expect(root('gaza && truce')).toEqual(expected);
      expect(root('+gaza +truce')).toEqual(expected);
      expect(parseQuery('gaza AND truce').warnings).toEqual([]);
    });

    it('reads upper-case NOT and ! as exclusions', () => {
      const expected = and([term('truce')], [term('doha')]);
      expect(root('truce NOT doha')).toEqual(expected);
      expect(root('truce !doha')).toEqual(expected);
      expect(root('truce NOT "united states"')).toEqual(and([term('truce')], [phrase(['united', 'states'])]));
    });

    it('reads || as OR', () => {
      expect(root('iran || qatar')).toEqual(and([or(term('iran'), term('qatar'))]));
    });

    it('keeps lower-case and, or, not as words', () => {
      expect(root('war and peace or not')).toEqual(and([term('war'), term('and'), term('peace'), term('or'), term('not')]));
    });

    it('drops dangling operators with a warning', () => {
      expect(root('truce AND')).toEqual(and([term('truce')]));
      expect(root('AND truce')).toEqual(and([term('truce')]));
      expect(root('truce NOT')).toEqual(and([term('truce')]));
      expect(root('truce w/5')).toEqual(and([term('truce')]));
      expect(parseQuery('truce NOT').warnings).toEqual(['a dangling NOT is ignored']);
      expect(parseQuery('truce w/5').warnings).toEqual(['a dangling w/5 is ignored']);
    });

    it('reads proximity connectors between terms, phrases and groups, in any case', () => {
      expect(root('hamas w/5 haniyeh')).toEqual(and([near([term('hamas'), term('haniyeh')], words(5))]));
      expect(root('hamas PRE/3 haniyeh')).toEqual(and([near([term('hamas'), term('haniyeh')], words(3, true))]));
      expect(root('hamas w/s haniyeh')).toEqual(and([near([term('hamas'), term('haniyeh')], { unit: 'sentence' })]));
      expect(root('"four day" w/10 (iran OR qatar)')).toEqual(and([near([phrase(['four', 'day']), or(term('iran'), term('qatar'))], words(10))]));
    });

    it('chains connectors and binds them looser than OR, tighter than AND', () => {
      expect(root('a w/5 b w/3 c')).toEqual(and([near([term('a'), term('b'), term('c')], words(5), words(3))]));
      expect(root('gaza iran OR qatar w/3 truce')).toEqual(and([term('gaza'), near([or(term('iran'), term('qatar')), term('truce')], words(3))]));
    });

    it('restricts a proximity group to a field', () => {
      expect(root('title:(gaza w/2 truce)')).toEqual(and([near([term('gaza', 'title'), term('truce', 'title')], words(2))]));
    });

    it('moves an excluded operand of a connector out to the whole query, with a warning', () => {
      expect(root('hamas w/5 -haniyeh')).toEqual(and([term('hamas')], [term('haniyeh')]));
      expect(parseQuery('hamas w/5 -haniyeh').warnings).toEqual(['an excluded operand of w/5 excludes from the whole query']);
    });

    it('reads wildcards inside a word', () => {
      const wildcard = (pattern: string): TermNode => ({ kind: 'term', term: pattern, mode: 'wildcard', distance: 0, field: null });
      expect(root('wom?n')).toEqual(and([wildcard('wom?n')]));
      expect(root('Organi*ation')).toEqual(and([wildcard('organi*ation')]));
      expect(root('*ation')).toEqual(and([wildcard('*ation')]));
    });

    it('refuses wildcard words with fewer than 2 letters, reading them as words', () => {
      expect(root('?a*')).toEqual(and([term('a')]));
      expect(parseQuery('?a*').warnings[0]).toMatch(/at least 2 letters/);
    });

    it('reads a quoted single word as that exact form', () => {
      expect(root('"elections"')).toEqual(and([phrase(['elections'])]));
    });

    it('warns about an unclosed quote and parenthesis', () => {
      expect(parseQuery('"four day').warnings).toEqual(['unclosed quote: the words after it are read one by one']);
      expect(parseQuery('(iran OR qatar').warnings).toEqual(['an unclosed "(" is closed at the end']);
      expect(parseQuery('iran) qatar').warnings).toEqual(['an unmatched ")" is ignored']);
    });
  });

  describe('canonical form', () => {
    it('writes the operators out, with parentheses where a reader needs them', () => {
      expect(parseQuery('Gaza iran OR qatar -"United States"').canonical).toBe('Gaza AND (iran OR qatar) NOT "United States"');
      expect(parseQuery('hamas w/5 haniyeh truce').canonical).toBe('(hamas w/5 haniyeh) AND truce');
      expect(parseQuery('haniya~ talks* wom?n').canonical).toBe('haniya~2 AND talks* AND wom?n');
      expect(parseQuery('title:(a OR b) "x y"~3').canonical).toBe('(title:a OR title:b) AND "x y"~3');
    });

    it('keeps a word as typed when it reads back the same', () => {
      expect(parseQuery("Qatar's cease-fire").canonical).toBe("Qatar's AND cease-fire");
      expect(parseQuery('title:cease-fire').canonical).toBe('title:cease-fire');
    });

    it('keeps the words of a prefix, fuzzy or wildcard word read as plain words as typed: their folded terms may not read back', () => {
      // ⑴ folds to (1), which would read back as 1; the property test below found it.
      for (const [q, canonical] of [
        ['⑴⺀*', '⑴⺀'],
        ['⑴⺀~1', '⑴⺀'],
        // A wildcard word read as words: ㈠ folds to (一), which would read back as 一.
        ['㈠*#', '㈠'],
        // Words with an operator between them: each as typed, in quotes.
        ['0#*㊀Ͱ', '"0 ㊀Ͱ"'],
      ] as const) {
        const parsed = parseQuery(q);
        expect(parsed.canonical).toBe(canonical);
        expect(parseQuery(parsed.canonical).root).toEqual(parsed.root);
      }
    });
  });

  describe('properties', () => {
    /** Query-like strings: words, operators and punctuation in any order. */
    const queryLike = fc
      .array(
        fc.constantFrom('gaza', 'Truce', 'OR', 'or', 'AND', 'NOT', 'not', '&&', '||', '!', '+', 'w/3', 'pre/2', 'W/S', 'w/p', '?', '-', '"', '\u201C', '(', ')', '*', '~', '~2', '~x', 'title:', 'TEXT:', 'foo:', ' ', ' ', 'cease-fire', "l'armée", '北京', 'é', '\u00AD', '😀', ',', '.', ':', 'a'),
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
        case 'near':
          expect(node.operands.length).toBeGreaterThan(1);
          expect(node.links.length).toBe(node.operands.length - 1);
          return node.operands.reduce((sum, child) => sum + checkShape(child, false), 0);
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

    it('reads its canonical form back as the same tree', () => {
      fc.assert(
        fc.property(anyQuery, (q) => {
          const parsed = parsedOrNull(q);
          if (parsed === null) return;
          const again = parseQuery(parsed.canonical);
          expect(again.root).toEqual(parsed.root);
          expect(again.canonical).toBe(parsed.canonical);
          expect(again.warnings).toEqual([]);
        }),
        { numRuns: 1000 },
      );
    });

    it('returns a simplified tree with at least one positive clause and its leaves counted', () => {
      fc.assert(
        fc.property(anyQuery, (q) => {
          const parsed = parsedOrNull(q);
          if (parsed === null) return;
          expect(parsed.root.kind).toBe('and');
          expect(checkShape(parsed.root, true)).toBe(parsed.clauses);
          expect(parsed.clauses).toBeLessThanOrEqual(MAX_CLAUSES);
        }),
        { numRuns: 500 },
      );
    });
  });
});
