import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/text/analyzer.ts';
import { escapeHtml, makeSnippets, normalizeSpans, renderFragment, selectFragments, type Span } from '../../src/snippet/highlight.ts';
import { anyText, graphemeBoundaries, marksOf, options, plainOf, rawSpans, textWithSpans, trickyText, unescapeHtml } from './support.ts';

/** Spans on every occurrence of the given terms, as the search layer would give them. */
function spansOf(text: string, ...terms: string[]): Span[] {
  return analyze(text)
    .tokens.filter((token) => terms.includes(token.term))
    .map((token) => ({ start: token.start, end: token.end, key: token.term }));
}

/** A sentence of filler that matches nothing the tests look for. */
const FILLER = 'Officials in the region met again on Thursday to discuss the details of the plan. ';

describe('escapeHtml', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('وقف إطلاق النار — 停火 😀')).toBe('وقف إطلاق النار — 停火 😀');
  });

  it('round-trips through unescaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(unescapeHtml(escapeHtml(s))).toBe(s);
      }),
    );
  });
});

describe('normalizeSpans', () => {
  it('sorts spans and merges those that overlap or touch', () => {
    const spans = [
      { start: 13, end: 18, key: 'truce' },
      { start: 4, end: 8, key: 'four' },
      { start: 4, end: 12, key: '"four-day"' },
    ];
    expect(normalizeSpans('the four-day truce', spans)).toEqual([
      [4, 12],
      [13, 18],
    ]);
  });

  it('clips spans to the text and turns reversed ones round', () => {
    expect(normalizeSpans('gaza', [{ start: 3, end: -2, key: 'a' }, { start: 2, end: 99, key: 'b' }])).toEqual([[0, 4]]);
  });

  it('returns nothing for empty text or no spans', () => {
    expect(normalizeSpans('', [{ start: 0, end: 3, key: 'a' }])).toEqual([]);
    expect(normalizeSpans('gaza', [])).toEqual([]);
  });

  it('gives sorted, disjoint highlights on grapheme boundaries', () => {
    fc.assert(
      fc.property(anyText, rawSpans, (text, spans) => {
        const boundaries = graphemeBoundaries(text);
        let previousEnd = -1;
        for (const [start, end] of normalizeSpans(text, spans)) {
          expect(start).toBeGreaterThan(previousEnd);
          expect(start).toBeLessThan(end);
          expect(boundaries.has(start) && boundaries.has(end)).toBe(true);
          previousEnd = end;
        }
      }),
    );
  });
});

describe('renderFragment', () => {
  it('marks the highlights inside the range and writes an ellipsis where text was cut', () => {
    expect(renderFragment('Gaza truce holds & talks go on', [0, 16], [[5, 10]])).toBe('Gaza <mark>truce</mark> holds…');
    expect(renderFragment('Gaza truce holds & talks go on', [11, 30], [[19, 24]])).toBe('…holds &amp; <mark>talks</mark> go on');
  });

  it('leaves unmarked a highlight that crosses the range rather than cutting it', () => {
    expect(renderFragment('Gaza truce holds', [0, 8], [[5, 10]])).toBe('Gaza tru…');
  });

  it('writes no ellipsis for blank text left out', () => {
    expect(renderFragment('  gaza  ', [2, 6], [])).toBe('gaza');
  });

  it('writes other markup when asked', () => {
    const ansi = { open: '[', close: ']', ellipsis: '...', escape: (s: string) => s };
    expect(renderFragment('Gaza truce holds', [0, 10], [[5, 10]], ansi)).toBe('Gaza [truce]...');
  });
});

describe('makeSnippets', () => {
  const longText = `The truce began at dawn. ${FILLER.repeat(4)}Qatar said the talks would go on. ${FILLER.repeat(4)}The exchange of hostages ended the day.`;

  it('returns a short paragraph whole, without ellipsis', () => {
    const text = 'Qatar said the four-day truce would hold & talks would go on.';
    const { snippet, fragments } = makeSnippets(text, spansOf(text, 'truce', 'qatar'));
    expect(snippet).toBe('<mark>Qatar</mark> said the four-day <mark>truce</mark> would hold &amp; talks would go on.');
    expect(fragments).toEqual([snippet]);
  });

  it('writes ellipses only where the text was cut', () => {
    const atStart = makeSnippets(longText, spansOf(longText, 'truce')).snippet;
    expect(atStart.startsWith('The <mark>truce</mark> began')).toBe(true);
    expect(atStart.endsWith('…')).toBe(true);

    const atEnd = makeSnippets(longText, spansOf(longText, 'hostages')).snippet;
    expect(atEnd.startsWith('…')).toBe(true);
    expect(atEnd.endsWith('ended the day.')).toBe(true);

    const inside = makeSnippets(longText, spansOf(longText, 'qatar')).snippet;
    expect(inside.startsWith('…')).toBe(true);
    expect(inside.endsWith('…')).toBe(true);
    expect(inside).toContain('<mark>Qatar</mark> said the talks would go on.');
  });

  it('cuts at a sentence start when the match is near it', () => {
    const { snippet } = makeSnippets(longText, spansOf(longText, 'talks'));
    expect(snippet.startsWith('…Qatar said the <mark>talks</mark>')).toBe(true);
  });

  it('cuts between words', () => {
    const text = 'word '.repeat(100);
    const plain = plainOf(makeSnippets(text, [{ start: 250, end: 254, key: 'word' }], { size: 50 }).snippet);
    expect(plain).toMatch(/^word( word)*$/u);
  });

  it('returns the opening of the paragraph when nothing matched', () => {
    const { snippet, fragments } = makeSnippets(longText, []);
    expect(snippet.startsWith('The truce began at dawn.')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(260);
    expect(fragments).toEqual([snippet]);
  });

  it('prefers the fragment with more distinct terms over one repeating a single term', () => {
    const text = `Gaza gaza gaza, said the report about Gaza. ${FILLER.repeat(4)}The truce in Gaza holds. ${FILLER.repeat(3)}`;
    const { snippet } = makeSnippets(text, spansOf(text, 'gaza', 'truce'));
    expect(snippet).toContain('<mark>truce</mark> in <mark>Gaza</mark>');
  });

  it('prefers more matches, then matches closer together, then the earlier fragment', () => {
    const text = `${FILLER}truce one. ${FILLER.repeat(3)}truce and truce. ${FILLER.repeat(3)}truce and truce again. ${FILLER.repeat(3)}`;
    const { snippet } = makeSnippets(text, spansOf(text, 'truce'), { size: 60 });
    expect(marksOf(snippet)).toEqual(['truce', 'truce']);
    expect(plainOf(snippet)).toContain('truce and truce.');
  });

  it('returns the best fragments in text order without overlap', () => {
    const text = `${FILLER.repeat(2)}Qatar spoke first. ${FILLER.repeat(3)}Then the truce began. ${FILLER.repeat(3)}Hostages were freed. ${FILLER}`;
    const spans = spansOf(text, 'qatar', 'truce', 'hostages');
    const { snippet, fragments } = makeSnippets(text, spans, { fragments: 3 });
    expect(fragments.map(marksOf)).toEqual([['Qatar'], ['truce'], ['Hostages']]);
    const { ranges } = selectFragments(text, spans, { fragments: 3 });
    ranges.slice(1).forEach((range, i) => expect(range[0]).toBeGreaterThanOrEqual((ranges[i] as [number, number])[1]));
    expect(fragments).toContain(snippet);
  });

  it('returns fewer fragments than asked when fewer hold matches', () => {
    const { fragments } = makeSnippets(longText, spansOf(longText, 'qatar'), { fragments: 5 });
    expect(fragments).toHaveLength(1);
  });

  /** A paragraph where a long phrase match straddles the place a 50- or 60-character fragment from the start ends. */
  const straddling = (): { text: string; spans: Span[] } => {
    const text = `Gaza ${'a '.repeat(20)}the four-day humanitarian truce ${'b '.repeat(100)}`;
    const phrase = text.indexOf('the four-day');
    const spans = [
      { start: 0, end: 4, key: 'gaza' },
      { start: phrase, end: phrase + 'the four-day humanitarian truce'.length, key: '"phrase"' },
    ];
    return { text, spans };
  };

  it('takes in whole a highlight crossing the place of the cut', () => {
    const { text, spans } = straddling();
    const { snippet } = makeSnippets(text, spans, { size: 60 });
    expect(marksOf(snippet)).toEqual(['Gaza', 'the four-day humanitarian truce']);
  });

  it('leaves out whole a highlight crossing the cut that would make the fragment far too long', () => {
    const { text, spans } = straddling();
    const { snippet } = makeSnippets(text, spans, { size: 50 });
    expect(marksOf(snippet)).toEqual(['Gaza']);
    expect(plainOf(snippet)).not.toContain('the');
  });

  it('cuts text without spaces (Chinese) into a fragment of about the size asked', () => {
    const text = '联合国秘书长表示各方应当继续努力实现持久和平以色列与哈马斯达成停火协议双方将交换人质和囚犯'.repeat(8);
    const at = text.indexOf('停火', 300);
    const { snippet } = makeSnippets(text, [{ start: at, end: at + 2, key: '停火' }], { size: 60 });
    expect(snippet).toContain('<mark>停火</mark>');
    expect(snippet.startsWith('…') && snippet.endsWith('…')).toBe(true);
    expect(plainOf(snippet).length).toBeGreaterThan(40);
    expect(plainOf(snippet).length).toBeLessThanOrEqual(80);
    expect(text).toContain(plainOf(snippet));
  });

  it('handles right-to-left text', () => {
    const text = `${'قالت الحكومة إن المحادثات مستمرة في الدوحة اليوم. '.repeat(6)}وأعلن الوسطاء وقف إطلاق النار في غزة. ${'קיבלו את ההודעה בירושלים. '.repeat(6)}`;
    const start = text.indexOf('وقف');
    const { snippet } = makeSnippets(text, [{ start, end: start + 'وقف إطلاق النار'.length, key: '"ceasefire"' }], { size: 80 });
    expect(marksOf(snippet)).toEqual(['وقف إطلاق النار']);
    expect(text).toContain(plainOf(snippet));
  });

  it('escapes HTML in the text', () => {
    const text = 'Officials said <script>alert("truce")</script> & more.';
    const { snippet } = makeSnippets(text, spansOf(text, 'truce'));
    expect(snippet).toBe('Officials said &lt;script&gt;alert(&quot;<mark>truce</mark>&quot;)&lt;/script&gt; &amp; more.');
  });

  it('never throws on odd input', () => {
    expect(makeSnippets('', [{ start: 0, end: 4, key: 'a' }])).toEqual({ snippet: '', fragments: [''], highlights: [] });
    expect(makeSnippets('gaza', [{ start: 9, end: -9, key: 'a' }], { fragments: 0, size: Number.NaN }).snippet).toBe('<mark>gaza</mark>');
    expect(makeSnippets(longText, [], { fragments: 99, size: -1 }).fragments).toHaveLength(1);
  });

  describe('properties', () => {
    it('gives back a substring of the text once tags, entities and ellipses are removed', () => {
      fc.assert(
        fc.property(textWithSpans, options, ([text, spans], opts) => {
          const { snippet, fragments } = makeSnippets(text, spans, opts);
          for (const fragment of [snippet, ...fragments]) expect(text).toContain(plainOf(fragment));
        }),
      );
    });

    it('marks only the text of normalized highlights', () => {
      fc.assert(
        fc.property(textWithSpans, options, ([text, spans], opts) => {
          const highlighted = new Set(normalizeSpans(text, spans).map(([start, end]) => text.slice(start, end)));
          for (const fragment of makeSnippets(text, spans, opts).fragments) {
            for (const mark of marksOf(fragment)) expect(highlighted.has(mark)).toBe(true);
          }
        }),
      );
    });

    it('leaves no span lying inside a fragment unmarked', () => {
      fc.assert(
        fc.property(textWithSpans, options, ([text, spans], opts) => {
          const highlights = normalizeSpans(text, spans);
          const { ranges } = selectFragments(text, spans, opts);
          const { fragments } = makeSnippets(text, spans, opts);
          expect(fragments).toHaveLength(ranges.length);
          ranges.forEach(([from, to], i) => {
            const crosses = (edge: number): boolean => highlights.some(([start, end]) => start < edge && edge < end);
            expect(crosses(from) || crosses(to)).toBe(false);
            const inside = highlights.filter(([start, end]) => start >= from && end <= to);
            expect(marksOf(fragments[i] ?? '')).toEqual(inside.map(([start, end]) => text.slice(start, end)));
            for (const span of spans) {
              const [start, end] = [Math.min(span.start, span.end), Math.max(span.start, span.end)];
              if (start >= from && end <= to && start < end) expect(inside.some(([a, b]) => a <= start && end <= b)).toBe(true);
            }
          });
        }),
      );
    });

    it('lets no markup of the text through unescaped', () => {
      fc.assert(
        fc.property(textWithSpans, options, ([text, spans], opts) => {
          for (const fragment of makeSnippets(`<script>x</script>${text}`, spans, opts).fragments) {
            expect(fragment.replace(/<\/?mark>/gu, '')).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/u);
          }
        }),
      );
    });

    it('never splits a surrogate pair or a grapheme with a mark or a cut', () => {
      fc.assert(
        fc.property(trickyText, rawSpans, options, (text, spans, opts) => {
          const boundaries = graphemeBoundaries(text);
          for (const [start, end] of [...normalizeSpans(text, spans), ...selectFragments(text, spans, opts).ranges]) {
            expect(boundaries.has(start) && boundaries.has(end)).toBe(true);
          }
          for (const fragment of makeSnippets(text, spans, opts).fragments) {
            // The text holds no lone surrogate, so one next to a tag or an ellipsis was split off.
            expect(fragment).not.toMatch(/[\uD800-\uDBFF](?=<\/?mark>|…$)|(?:<\/?mark>|^…)[\uDC00-\uDFFF]/);
          }
        }),
      );
    });
  });
});
