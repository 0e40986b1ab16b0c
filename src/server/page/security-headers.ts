/**
 * @module server/page/security-headers
 * The response headers of the search page and its assets: a strict Content-Security-Policy
 * (our own script and stylesheet only, nothing inline, nothing from elsewhere), `nosniff` and a
 * referrer policy. Built on Hono's `secureHeaders`; applied per route, never to the JSON API.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The page's Content-Security-Policy, directive by directive. `default-src 'none'` refuses
 * everything not listed; the script and stylesheet come from `/assets/`; `fetch` only reaches
 * this server; `img-src data:` admits the empty favicon that spares a request.
 */
export const PAGE_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Creates the middleware that sets the page's security headers.
 *
 * @example
 * app.get('/', pageSecurityHeaders(), (c) => c.html(renderShell()));
 */
export function pageSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: PAGE_CSP,
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    // The service speaks plain HTTP on loopback by default; HSTS would only mislead.
    strictTransportSecurity: false,
  });
}
