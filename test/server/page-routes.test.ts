/**
 * @module test/server/page-routes
 * The search page's HTML, assets and security headers, through `app.request()` (no port, no
 * browser; `page.test.ts` drives the page in Chromium).
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PAGE_ASSETS } from '../../src/server/page/assets.ts';
import { appOf, readSeed } from '../helpers.ts';

/** The asset folder, to check that what is listed and what is on disk agree. */
const ASSET_DIR = new URL('../../src/server/page/assets/', import.meta.url);

const app = async () => appOf([await readSeed()]);

/** Reads a header's `;`-separated directives into a map: `script-src` → `'self'`. */
const directives = (header: string | null) =>
  new Map((header ?? '').split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));

describe('GET /', () => {
  it('serves the search page as HTML with a viewport, the form and the script', async () => {
    const response = await (await app()).request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8$/i);
    const html = await response.text();
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(html).toContain('<form id="search" class="search" role="search" action="/" method="get">');
    expect(html).toContain('<input id="q" name="q" type="search"');
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).toContain('<code>&quot;four-day truce&quot;</code>');
  });

  it('has no inline script, inline style or address outside this server', async () => {
    const html = await (await (await app()).request('/')).text();
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/assets/app.js">']);
    expect(html).not.toMatch(/<script[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('sends a Content-Security-Policy that allows only this server\'s script and style', async () => {
    const response = await (await app()).request('/');
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('leaves the JSON API without the page headers', async () => {
    const response = await (await app()).request('/search?q=ceasefire');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});

describe('GET /assets/:name', () => {
  it('serves every listed asset with its media type and the page headers', async () => {
    const served = await app();
    for (const [name, type] of Object.entries(PAGE_ASSETS)) {
      const response = await served.request(`/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toBe(type);
      expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect((await response.text()).length, name).toBeGreaterThan(0);
    }
  });

  it('lists every file of the asset folder', async () => {
    expect(Object.keys(PAGE_ASSETS).sort()).toEqual((await readdir(ASSET_DIR)).sort());
  });

  it('answers 404 not_found for a name it does not list, a path outside included', async () => {
    const served = await app();
    for (const path of ['/assets/nope.js', '/assets/..%2Fassets.ts', '/assets/%2E%2E%2F%2E%2E%2Fapp.ts']) {
      const response = await served.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('never puts a DOM sink other than the snippet\'s template into the scripts', async () => {
    const served = await app();
    for (const name of Object.keys(PAGE_ASSETS).filter((asset) => asset.endsWith('.js'))) {
      const source = await (await served.request(`/assets/${name}`)).text();
      const sinks = source.match(/\.(?:innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(/g) ?? [];
      expect(sinks, name).toEqual(name === 'dom.js' ? ['.innerHTML'] : []);
    }
  });
});
