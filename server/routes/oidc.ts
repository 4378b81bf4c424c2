/**
 * OpenID Connect login routes (server/auth/oidc.ts does the work). The login and the callback
 * are browser navigations, so their refusals are small bilingual HTML pages (with the error code)
 * for a browser and the JSON error body for other clients; `GET /api/v1/auth/config` tells the admin UI whether to offer the button.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { depsOf, route, type App, type Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import { STATE_COOKIE } from '../auth/oidc.ts';
import type { AuthConfig } from '../wire.ts';

const COOKIE_PATH = '/api/v1/auth/oidc';

function redirectUri(c: Ctx): string {
  const set = depsOf(c).config.oidc?.redirectUri;
  return set ?? new URL(`${COOKIE_PATH}/callback`, c.req.url).href;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A refusal as a page a person can read, with the way back to the token login. */
function page(c: Ctx, e: ApiError): Response {
  c.header('Cache-Control', 'no-store');
  const body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>条文 · 登录 / Sign in</title>
<h1>无法登录 / Cannot sign in</h1>
<p>${escape(e.text.zh)}</p>
<p lang="en">${escape(e.text.en)}</p>
${e.details?.map((d) => `<p><small>${escape(d.message.zh)}${d.message.zh === d.message.en ? '' : ` / ${escape(d.message.en)}`}</small></p>`).join('\n') ?? ''}
<p><code data-code="${escape(e.code)}">${escape(e.code)}</code></p>
<p><a href="/">返回登录 / Back to sign in</a></p></html>`;
  return c.html(body, e.status as 400 | 403 | 404 | 502);
}

/**
 * Refusals as a page for a browser navigation (its Accept names text/html), and as the API's JSON
 * error body for any other client, so a script or a probe gets the same error shape as elsewhere.
 */
async function asPage(c: Ctx, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if ((c.req.header('accept') ?? '').includes('text/html')) return page(c, e);
    c.header('Cache-Control', 'no-store');
    return c.json(e.body(), e.status as 400 | 403 | 404 | 502);
  }
}

export function oidcRoutes(app: App): void {
  route(app, 'GET /api/v1/auth/config', (c) => {
    const oidc = depsOf(c).config.oidc;
    return c.json<AuthConfig>(oidc ? { oidc: { issuer: oidc.issuer } } : { oidc: null });
  });

  route(app, 'GET /api/v1/auth/oidc/login', (c) =>
    asPage(c, async () => {
      const rp = depsOf(c).oidc;
      if (!rp) throw ApiError.of(404, 'oidc.not-configured');
      const uri = redirectUri(c);
      const { url, cookie } = await rp.start(uri);
      // Lax: the provider's redirect back is a top-level GET, which carries Lax cookies.
      setCookie(c, STATE_COOKIE, cookie, { path: COOKIE_PATH, httpOnly: true, sameSite: 'Lax', secure: uri.startsWith('https:'), maxAge: 600 });
      c.header('Cache-Control', 'no-store');
      return c.redirect(url, 302);
    }),
  );

  route(app, 'GET /api/v1/auth/oidc/callback', (c) =>
    asPage(c, async () => {
      const rp = depsOf(c).oidc;
      if (!rp) throw ApiError.of(404, 'oidc.not-configured');
      const cookie = getCookie(c, STATE_COOKIE);
      // One use: whatever happens, the checks are spent.
      deleteCookie(c, STATE_COOKIE, { path: COOKIE_PATH });
      const { token } = await rp.finish(new URL(c.req.url), cookie);
      c.header('Cache-Control', 'no-store');
      // In the fragment: never sent to a server, so it stays out of access logs and Referer headers.
      c.header('Referrer-Policy', 'no-referrer');
      return c.redirect(`/#session=${encodeURIComponent(token)}`, 302);
    }),
  );
}
