import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebServer, type WebServer } from '../../../main/web/server.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';

let server: WebServer;
const rendererDir = mkdtempSync(join(tmpdir(), 'porthole-renderer-'));
const dataDir = mkdtempSync(join(tmpdir(), 'porthole-browser-data-'));

beforeAll(async () => {
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>viewer</title>');
  server = await startWebServer({ port: 0, rendererDir, dataDir });
});
afterAll(async () => {
  await server.close();
  rmSync(rendererDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function openControl(): Promise<WebSocket> {
  const origin = `http://127.0.0.1:${server.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${new URL(server.url).pathname}ws/control`, {
    origin,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 1;
function call(ws: WebSocket, name: string, params: unknown): Promise<{ result?: unknown; error?: string }> {
  const id = nextId++;
  return new Promise((resolve) => {
    ws.on('message', function listen(data) {
      const reply = JSON.parse(String(data));
      if (reply.id !== id) return;
      ws.off('message', listen);
      resolve(reply);
    });
    ws.send(JSON.stringify({ id, name, params }));
  });
}

const fields = newBookmarkFields('Web', 'web:1');

describe('browser mode settings over the control WebSocket', () => {
  it('keeps bookmarks in the data directory but no password, and says why', async () => {
    const ws = await openControl();
    const loaded = (await call(ws, 'settings:load', {})).result as { passwordStorage: unknown };
    expect(loaded.passwordStorage).toEqual({
      available: false,
      reason: 'browser mode has no system keyring; the desktop app stores passwords',
    });
    const saved = await call(ws, 'bookmarks:save', {
      fields,
      password: { action: 'set', password: 'web-secret' },
    });
    expect(saved.result).toMatchObject({ name: 'Web', hasPassword: false });
    const stored = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'));
    expect(stored.bookmarks.map((b: { name: string }) => b.name)).toEqual(['Web']);
    for (const name of readdirSync(dataDir)) {
      expect(readFileSync(join(dataDir, name), 'utf8')).not.toContain('web-secret');
    }

    expect(
      (await call(ws, 'bookmarks:save', { fields: { ...fields, bogus: 1 }, password: { action: 'keep' } }))
        .error,
    ).toMatch(/unknown field "bogus"/);
    expect((await call(ws, 'scan:host', { host: 'h', firstPort: 1, lastPort: 65535 })).error).toMatch(
      /at most 1024/,
    );
    // Only control requests are reachable, never the service's inner workings.
    expect((await call(ws, 'passwordFor', { id: 'x' })).error).toMatch(/not available/);
    expect((await call(ws, 'constructor', {})).error).toMatch(/not available/);
    ws.close();
  });
});
