import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../support/cli.ts';

const registerSchemesAsPrivileged = vi.fn();
const handle = vi.fn();
vi.mock('electron', () => ({ protocol: { registerSchemesAsPrivileged, handle } }));

const { CONTENT_SECURITY_POLICY, createAppHandler, handleAppProtocol, registerAppScheme, resolveAppPath } =
  await import('../../../main/electron/protocol.ts');

const ROOT = resolve('/srv/porthole/renderer');

describe('resolveAppPath', () => {
  it.each([
    ['app://porthole/index.html', 'index.html'],
    ['app://porthole/', 'index.html'],
    ['app://porthole', 'index.html'],
    ['app://porthole/assets/index-DWiJxhdR.js', 'assets/index-DWiJxhdR.js'],
    ['app://porthole/assets/app.css?v=1#top', 'assets/app.css'],
    ['app://PORTHOLE/index.html', 'index.html'],
    ['app://porthole/assets/my%20icon.png', 'assets/my icon.png'],
    ['app://porthole/%252e%252e/x', '%2e%2e/x'],
  ])('%s → %s', (url, relative) => {
    expect(resolveAppPath(ROOT, url)).toBe(join(ROOT, relative));
  });

  it.each([
    // Traversal, plain and encoded.
    'app://porthole/../etc/passwd',
    'app://porthole/assets/../../etc/passwd',
    'app://porthole/assets/../index.html',
    'app://porthole/./index.html',
    'app://porthole/%2e%2e/etc/passwd',
    'app://porthole/%2E%2E/%2E%2E/etc/passwd',
    'app://porthole/.%2e/etc/passwd',
    'app://porthole/assets/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://porthole/..%2f..%2fetc/passwd',
    'app://porthole/..%5c..%5cetc%5cpasswd',
    'app://porthole/..\\..\\etc\\passwd',
    'app://porthole/assets\\index.js',
    // Absolute paths and drive letters.
    'app://porthole//etc/passwd',
    'app://porthole/%2fetc/passwd',
    'app://porthole/C:/Windows/win.ini',
    'app://porthole/C%3A/Windows/win.ini',
    // NUL bytes and malformed escapes.
    'app://porthole/index.html%00.png',
    'app://porthole/%E0%A4%A',
    // Other hosts, schemes, ports and credentials.
    'app://evil/index.html',
    'app://porthole.evil/index.html',
    'app://user@porthole/index.html',
    'app://porthole:8080/index.html',
    'file:///srv/porthole/renderer/index.html',
    'https://porthole/index.html',
    'not a url',
    // Directories.
    'app://porthole/assets/',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });
});

describe('the app:// handler', () => {
  let root: string;
  let outside: string;
  let serve: (request: Request) => Promise<Response>;

  beforeAll(() => {
    root = tempDir('porthole-protocol-');
    outside = tempDir('porthole-outside-');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Porthole</title>');
    writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1);');
    writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
    writeFileSync(join(root, 'assets', 'icon.svg'), '<svg/>');
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    serve = createAppHandler(root);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves the page with its content type and the strict CSP', async () => {
    const response = await serve(new Request('app://porthole/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Porthole</title>');
  });

  it.each([
    ['assets/index.js', 'text/javascript; charset=utf-8'],
    ['assets/style.css', 'text/css; charset=utf-8'],
    ['assets/icon.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (path, type) => {
    const response = await serve(new Request(`app://porthole/${path}`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 404 for missing files, directories and anything outside the root', async () => {
    for (const url of [
      'app://porthole/missing.html',
      'app://porthole/assets',
      'app://porthole/..%2f..%2fetc/passwd',
      `app://porthole/../${outside.split('/').pop()}/secret.txt`,
      'app://other/index.html',
    ]) {
      const response = await serve(new Request(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect(
      (await serve(new Request('app://porthole/index.html', { method: 'POST', body: 'x' }))).status,
    ).toBe(405);
    const head = await serve(new Request('app://porthole/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('registers the scheme as standard and secure, and the handler for it', () => {
    registerAppScheme();
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    handleAppProtocol(root);
    expect(handle).toHaveBeenCalledWith('app', expect.any(Function));
  });
});
