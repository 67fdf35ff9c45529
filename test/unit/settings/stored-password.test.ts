import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../../main/app/control-service.ts';
import { Encoding } from '../../../main/rfb/constants.ts';
import { openTcpSession } from '../../../main/rfb/transports/tcp.ts';
import { type Connector, runSessionHost } from '../../../main/session/session-host.ts';
import { type BookmarkFields, newBookmarkFields } from '../../../shared/settings.ts';
import { MemoryChannel } from '../../support/memory-channel.ts';
import { startXvnc, stopAllServers, type XServer } from '../../support/servers.ts';
import { aesTestCipher } from './test-cipher.ts';

const dirs: string[] = [];
afterAll(async () => {
  await stopAllServers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function fieldsFor(server: XServer): BookmarkFields {
  return newBookmarkFields('Xvnc', server.target, { quality: 'high' });
}

async function storeWith(server: XServer, password: string) {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-stored-'));
  dirs.push(dir);
  const store = openSettingsStore(dir, aesTestCipher());
  const { bookmark } = await store.saveBookmark(undefined, fieldsFor(server), { action: 'set', password });
  const lookups: string[] = [];
  const lookupPassword = (id: string, target: string) => {
    lookups.push(id);
    return store.passwordFor(id, target);
  };
  return { bookmark, lookupPassword, lookups };
}

describe('a bookmark’s stored password reaches the session, not the viewer', () => {
  it('connects to a real Xvnc with VncAuth without asking the viewer', async () => {
    const server = await startXvnc({ security: 'vncauth', password: 'pa55word', geometry: [320, 240] });
    const { bookmark, lookupPassword, lookups } = await storeWith(server, 'pa55word');
    const channel = new MemoryChannel();
    runSessionHost(channel, { lookupPassword });
    channel.post({ type: 'open', request: { target: server.target, bookmarkId: bookmark.id } });
    const connected = await channel.untilPhase('connected');
    expect([connected.width, connected.height]).toEqual([320, 240]);
    expect(channel.statuses().some((s) => s.phase === 'password')).toBe(false);
    expect(lookups).toEqual([bookmark.id]);
    expect(JSON.stringify(channel.received.filter((m) => m.type !== 'draw'))).not.toContain('pa55word');
    channel.close();
  });

  it('falls back to asking the viewer when the stored password is rejected, and tries it only once', async () => {
    const server = await startXvnc({ security: 'vncauth', password: 'pa55word', geometry: [320, 240] });
    const { bookmark, lookupPassword, lookups } = await storeWith(server, 'outdated');
    const channel = new MemoryChannel();
    runSessionHost(channel, { lookupPassword });
    channel.post({ type: 'open', request: { target: server.target, bookmarkId: bookmark.id } });
    const prompt = await channel.untilPhase('password');
    expect(prompt.retry).toBe(true);
    expect(prompt.message).toMatch(/authentication failed/);

    const mark = channel.received.length;
    channel.post({ type: 'password', password: 'pa55word' });
    await channel.untilPhase('connected', mark);
    expect(lookups).toEqual([bookmark.id]);
    channel.close();
  });

  it('never gives a bookmark’s password to another server', async () => {
    const server = await startXvnc({ security: 'vncauth', password: 'pa55word', geometry: [320, 240] });
    const other = await startXvnc({ security: 'vncauth', password: 'pa55word', geometry: [320, 240] });
    const { bookmark, lookupPassword } = await storeWith(server, 'pa55word');
    const channel = new MemoryChannel();
    runSessionHost(channel, { lookupPassword });
    channel.post({ type: 'open', request: { target: other.target, bookmarkId: bookmark.id } });
    const prompt = await channel.untilPhase('password');
    expect(prompt.retry).toBe(false);
    channel.close();
  });

  it('asks the server for the request’s own encodings in place of the quality’s', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const asked: number[][] = [];
    const connect: Connector = (host, port, options, events) => {
      asked.push([...(options.encodings ?? [])]);
      return openTcpSession(host, port, options, events);
    };
    const channel = new MemoryChannel();
    runSessionHost(channel, { connect });
    channel.post({ type: 'open', request: { target: server.target, encodings: ['hextile', 'raw'] } });
    await channel.untilPhase('connected');
    expect(asked).toEqual([[Encoding.Hextile, Encoding.Raw]]);
    channel.close();

    const bad = new MemoryChannel();
    runSessionHost(bad, { connect });
    bad.post({ type: 'open', request: { target: server.target, encodings: ['raw', 'bogus'] } });
    const closed = await bad.untilPhase('closed');
    expect(closed.error).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/unknown encoding "bogus"/),
    });
    expect(asked).toHaveLength(1);
  });
});
