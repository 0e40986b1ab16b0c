/**
 * @module server/page/frame
 * What every page of the site shares: the document head (its title, the style sheets, its
 * script), the skip link and the masthead with a link to the other page.
 */
import type { Child, FC } from 'hono/jsx';

/** A page's own parts of the frame. */
export type FrameProps = {
  title: string;
  /** Style sheets after `/assets/style.css`, which every page has. */
  styles?: string[];
  script: string;
  tagline: string;
  /** The masthead's link to the other page. */
  link: { href: string; label: string };
  children?: Child;
};

/** An HTML document in the site's frame, `children` in its body after the masthead. */
export const Frame: FC<FrameProps> = ({ title, styles = [], script, tagline, link, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title}</title>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/assets/style.css" />
      {styles.map((href) => (
        <link rel="stylesheet" href={href} />
      ))}
      <script type="module" src={script}></script>
    </head>
    <body>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="masthead">
        <a class="brand" href="/">
          News archive
        </a>
        <span class="tagline">{tagline}</span>
        <a class="masthead-link" href={link.href}>
          {link.label}
        </a>
      </header>
      {children}
    </body>
  </html>
);
