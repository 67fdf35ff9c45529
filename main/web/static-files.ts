import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { CONTENT_TYPES } from '../app/renderer-files.ts';

/**
 * The file under `root` a URL path names, or undefined when it names nothing there: no
 * traversal (also percent-encoded), no NUL, no backslashes, only regular files.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(base, `.${path.startsWith('/') ? path : `/${path}`}`);
  if (!file.startsWith(base + sep)) return undefined;
  if (!(extname(file) in CONTENT_TYPES)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}
