/**
 * @module server/page/routes
 * The search page (SPEC §7): `GET /`, the feeds view `GET /subscriptions` (§11) and `GET /assets/:name`, each with the page's security
 * headers. Mounted on the application with `app.route('/', createPageRoutes())`.
 */
import { Hono } from 'hono';
import { createError } from '../../errors.ts';
import { createAssetLoader } from './assets.ts';
import { pageSecurityHeaders } from './security-headers.ts';
import { renderFeedsPage } from './feeds-shell.tsx';
import { renderPage } from './shell.tsx';

/**
 * Creates the page's routes. The page is the same for every request (the script reads the
 * query string), so it is rendered once.
 *
 * @example
 * app.route('/', createPageRoutes());
 */
export function createPageRoutes(): Hono {
  const routes = new Hono();
  const html = renderPage();
  const loadAsset = createAssetLoader();
  // Per route, not `use('*')`: mounted at `/`, a wildcard would also cover the JSON API.
  const headers = pageSecurityHeaders();

  routes.get('/', headers, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(html);
  });

  const feedsHtml = renderFeedsPage();
  routes.get('/subscriptions', headers, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(feedsHtml);
  });

  routes.get('/assets/:name', headers, async (c) => {
    const name = c.req.param('name');
    const asset = await loadAsset(name);
    if (asset === undefined) throw createError('not_found', `no asset named "${name.slice(0, 128)}"`);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body);
  });
  return routes;
}
