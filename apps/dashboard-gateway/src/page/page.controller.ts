import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { Controller, Get, Header, Headers, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** Only these may load anything: the page's own scripts, styles and socket (no inline script or style). */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The page's files, next to this one (source runs) or in the source tree (a `nest build` output runs). */
function assetsDir(): string {
  const here = join(__dirname, 'assets');
  return existsSync(here) ? here : resolve(process.cwd(), 'apps/dashboard-gateway/src/page/assets');
}

function load(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** The wallboard's files by URL name, read once: a fixed list, so no request can name another file. */
export function loadPageAssets(): { index: Asset; files: Map<string, Asset> } {
  const dir = assetsDir();
  const js = 'text/javascript; charset=utf-8';
  const socketIoClient = join(dirname(require.resolve('socket.io/package.json')), 'client-dist/socket.io.esm.min.js');
  return {
    index: load(join(dir, 'index.html'), 'text/html; charset=utf-8'),
    files: new Map([
      ['wallboard.css', load(join(dir, 'wallboard.css'), 'text/css; charset=utf-8')],
      ['wallboard-logic.js', load(join(dir, 'wallboard-logic.js'), js)],
      ['wallboard.js', load(join(dir, 'wallboard.js'), js)],
      // The socket.io client that matches the server, as an ES module (the live server does not serve one).
      ['socket.io.esm.min.js', load(socketIoClient, js)],
    ]),
  };
}

/**
 * The supervisor's wallboard at `/` (static HTML + CSS + vanilla JS, same origin as the socket): no token is
 * needed to load it — the page reads its token from the URL fragment and shows nothing without a valid one.
 */
@ApiExcludeController()
@Controller()
export class PageController {
  private readonly assets = loadPageAssets();

  @Get()
  index(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: ServerResponse): void {
    send(res, this.assets.index, ifNoneMatch);
  }

  /** Browsers ask for it on their own: no icon, and no 404 in the wallboard's console. */
  @Get('favicon.ico')
  favicon(@Res() res: ServerResponse): void {
    res.statusCode = 204;
    res.setHeader('Cache-Control', 'max-age=86400');
    res.end();
  }

  @Get('wallboard/:file')
  @Header('Cross-Origin-Resource-Policy', 'same-origin')
  file(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: ServerResponse,
  ): void {
    const asset = this.assets.files.get(file);
    if (!asset) throw new NotFoundException();
    send(res, asset, ifNoneMatch);
  }
}

function send(res: ServerResponse, asset: Asset, ifNoneMatch: string | undefined): void {
  res.setHeader('Content-Type', asset.type);
  // Revalidate every time (cheap: ETag + 304), so a new gateway version never runs with stale scripts.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', asset.etag);
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  if (ifNoneMatch === asset.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Length', asset.body.length);
  res.end(asset.body);
}
