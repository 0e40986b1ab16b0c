/**
 * @module server/feed-routes
 * Feed subscriptions over HTTP (SPEC §11): `POST /feeds {"url", "intervalMinutes"?}`,
 * `GET /feeds`, `GET /feeds/:id`, `DELETE /feeds/:id`. Writes need the same access as
 * `/articles` (`write-access.ts`). Bodies are validated with zod: a 400 names the field.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Subscription } from '../backends/feed-store.ts';
import { createError } from '../errors.ts';
import { MAX_INTERVAL_MINUTES, type FeedMonitor } from '../monitor/subscriptions.ts';

/** Largest `POST /feeds` body: a URL and a number, with room to spare. */
const MAX_FEED_BODY_BYTES = 16 * 1024;
/** Longest URL accepted: what browsers and servers commonly take. */
const MAX_URL_CHARS = 8000;

const subscribeBodySchema = z.object(
  {
    url: z.string({ error: (issue) => (issue.input === undefined ? 'url is required: the address of an RSS or Atom feed' : 'url must be a string') }).min(1, 'url must not be empty').max(MAX_URL_CHARS, `url must be at most ${MAX_URL_CHARS} characters`),
    intervalMinutes: z
      .number({ error: `intervalMinutes must be an integer from 1 to ${MAX_INTERVAL_MINUTES}` })
      .int(`intervalMinutes must be an integer from 1 to ${MAX_INTERVAL_MINUTES}`)
      .min(1, `intervalMinutes must be an integer from 1 to ${MAX_INTERVAL_MINUTES}`)
      .max(MAX_INTERVAL_MINUTES, `intervalMinutes must be an integer from 1 to ${MAX_INTERVAL_MINUTES}`)
      .optional(),
  },
  { error: 'the body must be a JSON object: {"url": "https://…", "intervalMinutes": 15}' },
);

/** A subscription as the API shows it: the validators are the poller's business. */
function publicView(subscription: Subscription) {
  const { etag: _etag, lastModified: _lastModified, ...shown } = subscription;
  return shown;
}

/**
 * Creates the routes; `guard` is the write-access middleware of `/articles`.
 *
 * @example
 * app.route('/', createFeedRoutes({ monitor, guard: requireWriteAccess(writeAccess) }));
 */
export function createFeedRoutes(options: { monitor: FeedMonitor; guard: MiddlewareHandler }): Hono {
  const { monitor, guard } = options;
  const routes = new Hono();
  const limitBody = bodyLimit({
    maxSize: MAX_FEED_BODY_BYTES,
    onError: () => {
      throw createError('payload_too_large', `a /feeds body must be at most ${MAX_FEED_BODY_BYTES} bytes`);
    },
  });

  routes.get('/feeds', async function listFeeds(c) {
    return c.json({ feeds: (await monitor.list()).map(publicView) });
  });

  routes.get('/feeds/:id', async function getFeed(c) {
    const id = c.req.param('id');
    const subscription = await monitor.get(id);
    if (subscription === undefined) throw createError('not_found', `no feed with id "${id.slice(0, 128)}"`);
    return c.json(publicView(subscription));
  });

  routes.post('/feeds', guard, limitBody, async function subscribe(c) {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') throw createError('unsupported_media_type', `Content-Type ${c.req.header('content-type') ?? '(none)'} is not supported; use application/json`);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw createError('bad_request', 'the body is not valid JSON: send {"url": "https://…"}');
    }
    const parsed = subscribeBodySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw createError('bad_request', issue?.message ?? 'invalid body');
    }
    const { subscription, created } = await monitor.subscribe(parsed.data.url, parsed.data.intervalMinutes);
    return c.json(publicView(subscription), created ? 201 : 200);
  });

  routes.delete('/feeds/:id', guard, async function unsubscribe(c) {
    const id = c.req.param('id');
    if (!(await monitor.unsubscribe(id))) throw createError('not_found', `no feed with id "${id.slice(0, 128)}"`);
    return c.body(null, 204);
  });
  return routes;
}
