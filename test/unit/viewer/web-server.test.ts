import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecentStore } from '../../../main/app/recent-store.ts';
import { startWebServer, type WebServer } from '../../../main/web/server.ts';
import { tempDir } from '../../support/cli.ts';
import { openWebPage } from '../../support/web-session.ts';

let server: WebServer;
let rendererDir: string;
let dataDir: string;

beforeAll(async () => {
  rendererDir = tempDir();
  dataDir = tempDir();
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(rendererDir, 'secret.txt'), 'not served: unknown type');
  server = await startWebServer({ port: 0, rendererDir, dataDir });
});
afterAll(() => server.close());

function get(
  path: string,
  host = `127.0.0.1:${server.port}`,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const prefix = () => new URL(server.url).pathname;

function openSocket(path: string, origin = `http://127.0.0.1:${server.port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('browser mode server', () => {
  it('prints an address on 127.0.0.1 with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}\/$/);
  });

  it('serves the viewer only under the token, with a strict CSP', async () => {
    const index = await get(prefix());
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>viewer</title>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect((await get(`${prefix()}assets/app.js`)).headers['content-type']).toMatch(/javascript/);
    expect((await get('/')).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
    expect((await get(`/${'x'.repeat(32)}/`)).status).toBe(403);
  });

  it('refuses other Host headers (DNS rebinding)', async () => {
    expect((await get(prefix(), 'evil.example:80')).status).toBe(403);
    expect((await get(prefix(), `localhost:${server.port}`)).status).toBe(200);
  });

  it('serves nothing outside the renderer directory', async () => {
    for (const path of [
      '../../etc/passwd',
      '%2e%2e/%2e%2e/etc/passwd',
      '..%2f..%2fetc%2fpasswd',
      'secret.txt',
      '%00',
      'assets/..\\..\\x.js',
    ]) {
      expect((await get(`${prefix()}${path}`)).status, path).toBe(404);
    }
  });

  it('accepts WebSockets only with the token and our own origin', async () => {
    await expect(openSocket('/ws/control')).rejects.toThrow(/403/);
    await expect(openSocket(`${prefix()}ws/control`, 'http://evil.example')).rejects.toThrow(/403/);
    await expect(openSocket(`${prefix()}ws/other`)).rejects.toThrow(/403/);
    const ws = await openSocket(`${prefix()}ws/control`);
    ws.close();
  });

  it('answers control requests and keeps recent connections in the data directory', async () => {
    const ws = await openSocket(`${prefix()}ws/control`);
    const call = (id: number, name: string, params: unknown) =>
      new Promise<{ id: number; result?: unknown; error?: string }>((resolve) => {
        ws.on('message', function listen(data) {
          const reply = JSON.parse(String(data));
          if (reply.id !== id) return;
          ws.off('message', listen);
          resolve(reply);
        });
        ws.send(JSON.stringify({ id, name, params }));
      });
    expect((await call(1, 'recent:add', { target: 'vm1:1' })).result).toMatchObject([{ target: 'vm1:1' }]);
    expect((await call(2, 'recent:add', { target: 'vm2::5905' })).result).toMatchObject([
      { target: 'vm2::5905' },
      { target: 'vm1:1' },
    ]);
    expect((await call(3, 'clipboard:read', {})).error).toMatch(/not available in browser mode/);
    expect((await call(4, 'recent:add', { target: 42 })).error).toMatch(/target/);
    expect((await call(5, 'toString', {})).error).toMatch(/not available/);
    ws.close();
    const stored = JSON.parse(readFileSync(join(dataDir, 'recent.json'), 'utf8'));
    expect(stored.recent.map((r: { target: string }) => r.target)).toEqual(['vm2::5905', 'vm1:1']);
  });

  it('runs sessions over their WebSockets and the page stream: a bad target ends with a usage error', async () => {
    const page = await openWebPage(server.url, server.port);
    const sessions = [await page.openSession(), await page.openSession()];
    expect(sessions.map((s) => s.session)).toEqual([1, 2]);
    sessions[0].send('not json');
    sessions[0].send({ type: 'open', request: { target: 'host:notaport' } });
    await page.until('closed status', sessions[0].phase('closed'));
    const closed = sessions[0].received().find((m) => m.type === 'status' && m.status.phase === 'closed');
    expect(closed).toMatchObject({ status: { phase: 'closed', error: { kind: 'usage' } } });
    expect(sessions[1].received()).toEqual([]);
    // A session needs its page's stream: none, or a made-up one, is refused.
    await expect(openSocket(`${prefix()}ws/session`)).rejects.toThrow(/403/);
    await expect(openSocket(`${prefix()}ws/session?stream=${'A'.repeat(24)}`)).rejects.toThrow(/403/);
    expect((await get('/stream')).status).toBe(403);
    // The page going away ends its sessions.
    const sessionClosed = new Promise((resolve) => sessions[1].ws.once('close', resolve));
    await page.stop();
    await sessionClosed;
  });
});

describe('recent connections store', () => {
  it('keeps the most recent first, at most 20, written atomically', async () => {
    const dir = tempDir();
    const store = new RecentStore(dir);
    for (let i = 0; i < 25; i++) await store.add(`host:${i}`, new Date(2026, 0, 1, 0, i));
    await store.add('host:3');
    const list = await new RecentStore(dir).list();
    expect(list).toHaveLength(20);
    expect(list[0].target).toBe('host:3');
    expect(list[1].target).toBe('host:24');
    expect(readdirSync(dir)).toEqual(['recent.json']);
  });

  it('moves a corrupt file aside instead of overwriting it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'recent.json'), '{ not json');
    const store = new RecentStore(dir);
    expect(await store.list()).toEqual([]);
    await store.add('host:1');
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const aside = files.find((f) => f.startsWith('recent.json.corrupt-'))!;
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{ not json');
  });
});
