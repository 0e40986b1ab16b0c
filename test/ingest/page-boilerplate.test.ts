import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { takeOutBoilerplate } from '../../src/ingest/page-boilerplate.ts';

/** A document of `body`, cleaned; its remaining text, one line per `<p>`, heading or list item. */
function cleaned(body: string): { parts: ReturnType<typeof takeOutBoilerplate>; lines: string[] } {
  const { document } = parseHTML(`<!DOCTYPE html><html><head></head><body>${body}</body></html>`);
  const parts = takeOutBoilerplate(document);
  const lines = Array.from(document.querySelectorAll('h1, h2, h3, p, li')).map((element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim());
  return { parts, lines };
}

const TEXT = '<p>The council met on Tuesday.</p>';

describe('takeOutBoilerplate', () => {
  it('takes the byline line with its date and "Posted on" words, and returns the names without "By"', () => {
    const { parts, lines } = cleaned(`<article><h1>T</h1><div class="meta">Posted on <time datetime="2024-03-14">14 March 2024</time> <span class="byline">By <a rel="author" href="/a">Anna de Vries</a></span> · 5 min read</div>${TEXT}</article>`);
    expect(parts.byline).toBe('Anna de Vries');
    expect(lines).toEqual(['T', 'The council met on Tuesday.']);
  });

  it('reads names from a byline written with its date and no <time>', () => {
    expect(cleaned(`<article><h1>T</h1><p class="byline">By Ann Lee and Jan Smit | 2 May 2024, 08:00 CEST</p>${TEXT}</article>`).parts.byline).toBe('Ann Lee and Jan Smit');
    const { parts, lines } = cleaned(`<article><h1>T</h1><div class="meta"><span class="author">By Ann Lee</span> | Updated March 14, 2024 at 9:15 a.m. EDT</div>${TEXT}</article>`);
    expect(parts.byline).toBe('Ann Lee');
    expect(lines).toEqual(['T', 'The council met on Tuesday.']);
  });

  it('keeps a paragraph that holds an author link inside a sentence', () => {
    const { parts, lines } = cleaned(`<article><h1>T</h1>${TEXT}<p>Reporting by <a rel="author">Ann Lee</a>; editing by Jan Smit.</p></article>`);
    expect(parts.byline).toBeNull();
    expect(lines).toContain('Reporting by Ann Lee; editing by Jan Smit.');
  });

  it('returns the caption of a figure before the first paragraph, without its credit, and removes every figure', () => {
    const { parts, lines } = cleaned(
      `<article><h1>T</h1><figure><img src="a.jpg"><figcaption>Sandbags in Oudewater. <span class="credit">Photo: AP</span></figcaption></figure>${TEXT}` +
        '<figure><img src="b.jpg"><figcaption>Pumps at dusk.</figcaption></figure><p>Rain fell.</p></article>',
    );
    expect(parts.caption).toBe('Sandbags in Oudewater.');
    expect(lines).toEqual(['T', 'The council met on Tuesday.', 'Rain fell.']);
  });

  it('takes a written credit off the lead caption, in brackets or after the last sentence', () => {
    const captionOf = (text: string) => cleaned(`<article><h1>T</h1><figure><img src="a.jpg"><figcaption>${text}</figcaption></figure>${TEXT}</article>`).parts.caption;
    expect(captionOf('Idle cranes on Thursday. (Photo: Harbour Post/Lena Otto)')).toBe('Idle cranes on Thursday.');
    expect(captionOf('Idle cranes on Thursday. Picture by Lena Otto')).toBe('Idle cranes on Thursday.');
    expect(captionOf('A photo by the river bank')).toBe('A photo by the river bank');
  });

  it('gives no caption when the first figure comes after the text has begun', () => {
    expect(cleaned(`<article><h1>T</h1>${TEXT}<figure><img src="a.jpg"><figcaption>Later.</figcaption></figure></article>`).parts.caption).toBeNull();
  });

  it('removes "Read more" and "Related:" lines of links and a "Read more" heading with its list, keeping sentences that start alike', () => {
    const { lines } = cleaned(
      `<article><h1>T</h1>${TEXT}<p><strong>Read more:</strong> <a href="/x">Rivers rise early</a></p><p>Related: <a href="/y">Grain prices jump</a></p>` +
        '<h3>Read more</h3><ul><li><a href="/z">Dykes hold</a></li></ul><p>Related talks in Brussels ended without a deal on Monday night.</p></article>',
    );
    expect(lines).toEqual(['T', 'The council met on Tuesday.', 'Related talks in Brussels ended without a deal on Monday night.']);
  });

  it('removes share bars, newsletter boxes, tags, author boxes and comments by name, matching whole words only', () => {
    const { lines } = cleaned(
      `<article><h1>T</h1>${TEXT}<ul class="share-bar"><li><a>Facebook</a></li></ul><aside class="newsletterSignup"><p>Get the briefing.</p></aside>` +
        '<div class="tags-links"><p>Tagged <a rel="tag">dykes</a></p></div><div class="author-bio"><p>Tom writes about rivers.</p></div>' +
        '<div class="commentary-body"><p>An opinion stays.</p></div><p class="shared-history">Shared history stays.</p>' +
        '<div class="comments-open"><p>A body wrapper named for a setting stays.</p></div></article>' +
        '<section id="comments"><ol class="comment-list"><li><article class="comment-body"><p>Nice piece.</p></article></li></ol></section>',
    );
    expect(lines).toEqual(['T', 'The council met on Tuesday.', 'An opinion stays.', 'Shared history stays.', 'A body wrapper named for a setting stays.']);
  });

  it('removes share, tag, credit and newsletter lines by their text', () => {
    const { lines } = cleaned(
      `<article><h1>T</h1>${TEXT}<p>Share this article</p><p>Tags: <a>floods</a>, <a>Gouda</a></p><p>Photo: Jeroen Bakker</p>` +
        '<p>Sign up for our newsletter <a href="/n">here</a>.</p><p>The newsletter, which readers subscribe to for free, reached 10,000 homes.</p></article>',
    );
    expect(lines).toEqual(['T', 'The council met on Tuesday.', 'The newsletter, which readers subscribe to for free, reached 10,000 homes.']);
  });

  it('keeps a sentence that opens like a credit', () => {
    const { lines } = cleaned(`<article><h1>T</h1>${TEXT}<p>Pictures by residents showed the water rising over the dyke.</p></article>`);
    expect(lines).toEqual(['T', 'The council met on Tuesday.', 'Pictures by residents showed the water rising over the dyke.']);
  });

  it('removes AMP widgets', () => {
    const { lines } = cleaned(`<article><h1>T</h1><amp-social-share type="twitter">Share</amp-social-share>${TEXT}<amp-ad><p>Advertisement</p></amp-ad></article>`);
    expect(lines).toEqual(['T', 'The council met on Tuesday.']);
  });

  it('never removes the element holding the headline or the article', () => {
    const { lines } = cleaned(`<div class="social-story"><article class="comments-enabled"><h1>T</h1>${TEXT}</article></div>`);
    expect(lines).toEqual(['T', 'The council met on Tuesday.']);
  });
});
