import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY, CONTENT_TYPES } from '../app/renderer-files.ts';
import { APP_HOST, APP_SCHEME } from './app-url.ts';

export { CONTENT_SECURITY_POLICY };

/**
 * The `app://porthole/` protocol: the built renderer (out/renderer) served as a standard,
 * secure origin instead of `file://`, with a strict Content-Security-Policy on every file.
 */

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Must run after the app is ready. */
export function handleAppProtocol(rootDir: string): void {
  protocol.handle(APP_SCHEME, createAppHandler(rootDir));
}

/**
 * The file under `rootDir` that `requestUrl` names, or null for anything that is not plainly
 * a path inside it: another scheme or host, `.` or `..` segments (also percent-encoded), encoded
 * or literal backslashes, encoded slashes, empty segments (`//etc`), drive letters, NUL bytes.
 * Works on the text of the path only; it never looks at the disk.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname.toLowerCase() !== APP_HOST) return null;
  if (url.port !== '' || url.username !== '' || url.password !== '') return null;
  // The raw path as written, before URL parsing resolves dot segments away: a request that
  // tries to climb is refused, not silently re-rooted.
  const rawPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(requestUrl)?.[1] ?? '';
  if (rawPath === '' || rawPath === '/') return resolve(rootDir, 'index.html');
  if (!rawPath.startsWith('/') || /%(2f|5c|00)/i.test(rawPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes(':'))) return null;
  const root = resolve(rootDir);
  const file = resolve(root, ...segments);
  return file.startsWith(root + sep) ? file : null;
}

/** The protocol handler, free of Electron so that it can be tested with plain `Request`s. */
export function createAppHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method Not Allowed');
    }
    const file = resolveAppPath(rootDir, request.url);
    if (file === null) return textResponse(404, 'Not Found');
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(await readFile(file));
    } catch {
      return textResponse(404, 'Not Found');
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: securityHeaders(contentTypeOf(file)),
    });
  };
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}
