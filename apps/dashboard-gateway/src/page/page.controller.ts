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

export interface Asset {
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

/** A page: its HTML and the fixed list of files it loads, by URL name. */
export interface StaticPage {
  index: Asset;
  files: Map<string, Asset>;
}

/** Reads a page's files once: a fixed list, so no request can name another file. */
function loadStaticPage(index: string, files: Record<string, string>): StaticPage {
  const dir = assetsDir();
  const types: Record<string, string> = {
    css: 'text/css; charset=utf-8',
    js: 'text/javascript; charset=utf-8',
    html: 'text/html; charset=utf-8',
  };
  const typeOf = (name: string) => types[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  return {
    index: load(join(dir, index), typeOf(index)),
    files: new Map(Object.entries(files).map(([name, path]) => [name, load(resolve(dir, path), typeOf(name))])),
  };
}

/**
 * The derived metrics' one source (libs/domain), served as it is: beside the assets in the source tree, and at the
 * same relative place in a build (scripts/build.mjs copies it into dist/libs/domain/src).
 */
const DERIVED_METRICS = '../../../../../libs/domain/src/derived-metrics.js';

/** The wallboard's files by URL name (under `/wallboard/`), read once. */
export function loadPageAssets(): StaticPage {
  // The socket.io client that matches the server, as an ES module (the live server does not serve one).
  const socketIoClient = join(dirname(require.resolve('socket.io/package.json')), 'client-dist/socket.io.esm.min.js');
  // The charting library, pinned in package.json, served from node_modules like the socket.io client (no CDN).
  const uplot = join(dirname(require.resolve('uplot/package.json')), 'dist');
  return loadStaticPage('index.html', {
    'wallboard.css': 'wallboard.css',
    'derived-metrics.js': DERIVED_METRICS,
    'wallboard-logic.js': 'wallboard-logic.js',
    'chart-logic.js': 'chart-logic.js',
    'charts.js': 'charts.js',
    'wallboard.js': 'wallboard.js',
    'live-page.js': 'live-page.js',
    'socket.io.esm.min.js': socketIoClient,
    'uPlot.iife.min.js': join(uplot, 'uPlot.iife.min.js'),
    'uPlot.min.css': join(uplot, 'uPlot.min.css'),
  });
}

/**
 * The services panel's own files (under `/services/`); it also loads the wallboard's style, row merging
 * (`wallboard-logic.js`), live connection (`live-page.js`) and socket.io client from `/wallboard/`, rather than copies.
 */
export function loadServicesAssets(): StaticPage {
  return loadStaticPage('services.html', {
    'services.css': 'services.css',
    'services-logic.js': 'services-logic.js',
    'services.js': 'services.js',
  });
}

/**
 * The energy page's own files (under `/energy/`); it loads the style, charts, live connection and libraries from
 * `/wallboard/` too.
 */
export function loadEnergyAssets(): StaticPage {
  return loadStaticPage('energy.html', {
    'energy.css': 'energy.css',
    'energy-logic.js': 'energy-logic.js',
    'energy.js': 'energy.js',
  });
}

/**
 * The supervisor's wallboard at `/`, the energy page at `/energy` and the operator's services panel at `/services` (static HTML + CSS + vanilla
 * JS, same origin as the socket): no token is needed to load them — a page reads its token from the URL fragment
 * and shows nothing without a valid one (the socket refuses a token without the role a channel needs).
 */
@ApiExcludeController()
@Controller()
export class PageController {
  private readonly assets = loadPageAssets();
  private readonly services = loadServicesAssets();
  private readonly energy = loadEnergyAssets();

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
    sendFile(this.assets, file, ifNoneMatch, res);
  }

  @Get('energy')
  energyIndex(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: ServerResponse): void {
    send(res, this.energy.index, ifNoneMatch);
  }

  @Get('energy/:file')
  @Header('Cross-Origin-Resource-Policy', 'same-origin')
  energyFile(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: ServerResponse,
  ): void {
    sendFile(this.energy, file, ifNoneMatch, res);
  }

  @Get('services')
  servicesIndex(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: ServerResponse): void {
    send(res, this.services.index, ifNoneMatch);
  }

  @Get('services/:file')
  @Header('Cross-Origin-Resource-Policy', 'same-origin')
  servicesFile(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: ServerResponse,
  ): void {
    sendFile(this.services, file, ifNoneMatch, res);
  }
}

function sendFile(page: StaticPage, file: string, ifNoneMatch: string | undefined, res: ServerResponse): void {
  const asset = page.files.get(file);
  if (!asset) throw new NotFoundException();
  send(res, asset, ifNoneMatch);
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
