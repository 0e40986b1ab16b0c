/**
 * @module server/page/assets
 * The page's static files (`src/server/page/assets/`): plain ES modules and one stylesheet,
 * served as written — no build step. Only the files named in {@link PAGE_ASSETS} are served,
 * so a request can never reach anything else on disk.
 */
import { readFile } from 'node:fs/promises';

/** Every servable asset and its media type. */
export const PAGE_ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'article.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'chips.js': 'text/javascript; charset=utf-8',
  'citation.js': 'text/javascript; charset=utf-8',
  'copies.js': 'text/javascript; charset=utf-8',
  'feeds.css': 'text/css; charset=utf-8',
  'feeds.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'exports.js': 'text/javascript; charset=utf-8',
  'filters.js': 'text/javascript; charset=utf-8',
  'messages.js': 'text/javascript; charset=utf-8',
  'provenance.js': 'text/javascript; charset=utf-8',
  'results.js': 'text/javascript; charset=utf-8',
  'state.js': 'text/javascript; charset=utf-8',
  'suggest.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** A loaded asset. */
export type Asset = { body: string; type: string };

/** Where the asset files live, next to this module. */
const ASSET_DIR = new URL('./assets/', import.meta.url);

/**
 * Creates a loader that reads each asset once and keeps it; `undefined` for unknown names.
 *
 * @example
 * const load = createAssetLoader();
 * (await load('app.js'))?.type // 'text/javascript; charset=utf-8'
 */
export function createAssetLoader(): (name: string) => Promise<Asset | undefined> {
  const cache = new Map<string, Promise<Asset>>();
  return function loadAsset(name) {
    if (!Object.hasOwn(PAGE_ASSETS, name)) return Promise.resolve(undefined);
    let asset = cache.get(name);
    if (asset === undefined) {
      const type = PAGE_ASSETS[name] as string;
      asset = readFile(new URL(name, ASSET_DIR), 'utf8').then((body) => ({ body, type }));
      // A failed read is not remembered: the next request tries again.
      asset.catch(() => cache.delete(name));
      cache.set(name, asset);
    }
    return asset;
  };
}
