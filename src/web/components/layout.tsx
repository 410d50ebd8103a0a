/** The frame of every page: skip link, header with navigation and the ref picker, main, footer. */
import type { Child } from 'hono/jsx';
import { assetUrl } from '../assets.js';
import type { PageContext } from '../context.js';

export type Section = 'overview' | 'templates' | 'policies' | 'diff' | 'docs' | 'none';

const NAV: { section: Section; path: string; label: string }[] = [
  { section: 'overview', path: '/', label: 'Overview' },
  { section: 'templates', path: '/templates', label: 'Templates' },
  { section: 'policies', path: '/policies', label: 'Policies' },
  { section: 'diff', path: '/diff', label: 'Diff' },
  { section: 'docs', path: '/docs', label: 'API docs' },
];

/** Tags beyond this many are left out of the picker's suggestions (any ref can still be typed). */
const MAX_SUGGESTED_TAGS = 400;

export function Layout(props: { title: string; section: Section; ctx?: PageContext; children?: Child }) {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · oclhub`}</title>
        <link rel="stylesheet" href={assetUrl('app.css')} />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <script src={assetUrl('app.js')} defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <a class="brand" href={ctx ? ctx.href('/') : '/'}>oclhub</a>
          <nav class="site-nav" aria-label="Pages">
            <ul>
              {NAV.map((item) => (
                <li>
                  <a href={ctx && item.section !== 'docs' ? ctx.href(item.path) : item.path} {...(item.section === props.section ? { 'aria-current': 'page' } : {})}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {ctx ? <RefPicker ctx={ctx} /> : null}
          {ctx?.signedIn ? (
            <form method="post" action="/logout">
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          {ctx ? (
            <span>
              Every view is a permalink: links keep the ref. <a href="/openapi.json">OpenAPI document</a>
            </span>
          ) : (
            <a href="/openapi.json">OpenAPI document</a>
          )}
        </footer>
      </body>
    </html>
  );
}

/** A GET form back to this page with another ref; the page's other query parameters are kept. */
function RefPicker({ ctx }: { ctx: PageContext }) {
  const tags = ctx.refs.tags.slice(-MAX_SUGGESTED_TAGS).reverse();
  return (
    <form class="ref-picker" method="get" action={ctx.path} aria-label="Choose a ref">
      {Object.entries(ctx.query).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <label for="ref-input">Ref</label>
      <input id="ref-input" name="ref" list="ref-list" value={ctx.ref ?? ''} placeholder={ctx.refs.head ?? 'default branch'} autocomplete="off" spellcheck={false} aria-describedby="ref-help" />
      <span id="ref-help" class="visually-hidden">
        A branch, a tag or a commit; empty for the default branch.
      </span>
      <datalist id="ref-list">
        {ctx.refs.branches.map((b) => (
          <option value={b}>branch</option>
        ))}
        {tags.map((t) => (
          <option value={t}>tag</option>
        ))}
      </datalist>
      <button type="submit">Switch</button>
    </form>
  );
}

/** The hub, the ref read and its commit: the first thing on every page. */
export function HubFacts({ ctx }: { ctx: PageContext }) {
  const commit = ctx.hub.commit;
  return (
    <ul class="hub-facts" aria-label="Hub">
      <li>
        Hub <strong>{displayLocation(ctx.hub.location)}</strong>
      </li>
      <li>
        {ctx.ref === undefined ? 'Branch ' : 'Ref '}
        <strong>{ctx.ref ?? ctx.refs.head ?? ctx.hub.ref}</strong>
      </li>
      <li>
        Commit <strong class="mono" title={commit ?? undefined}>{commit ? commit.slice(0, 12) : 'working tree (no commit)'}</strong>
      </li>
    </ul>
  );
}

/** A hub's folder or URL as shown on a page: credentials in a URL are never shown. */
export function displayLocation(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
