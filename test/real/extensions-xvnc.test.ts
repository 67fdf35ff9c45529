import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { startX11vnc, startXvnc, stopAllServers, waitFor, type XServer } from '../support/servers.ts';

const execFileAsync = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'porthole-clipboard-'));
afterAll(async () => {
  await stopAllServers();
  rmSync(dir, { recursive: true, force: true });
});

const TEXT = 'Grüße — 日本語 ✓\nzweite Zeile';

/** The X CLIPBOARD selection on the server's display, as an X application reads it. */
async function xClipboard(server: XServer): Promise<string> {
  const { stdout } = await execFileAsync('xclip', ['-selection', 'clipboard', '-o'], {
    env: { ...process.env, DISPLAY: `:${server.display}` },
    timeout: 5000,
    encoding: 'utf8',
  });
  return stdout;
}

async function connect(server: XServer, extended = true): Promise<MemoryChannel> {
  const channel = new MemoryChannel();
  runSessionHost(channel);
  channel.post({ type: 'open', request: { target: server.target } });
  await channel.untilPhase('connected');
  if (!extended) return channel;
  await channel.until('Extended Clipboard', (received) =>
    received.some((m) => m.type === 'capabilities' && m.capabilities.extendedClipboard) ? true : undefined,
  );
  return channel;
}

describe('Extended Clipboard against TigerVNC Xvnc', () => {
  it('the viewer’s non-ASCII text reaches X applications unchanged', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const channel = await connect(server);
    channel.post({ type: 'clipboard', text: TEXT });
    const text = await waitFor('xclip to read the viewer’s text', 10_000, async () => {
      const value = await xClipboard(server).catch(() => '');
      return value === TEXT ? value : undefined;
    });
    expect(text).toBe(TEXT);
    expect(channel.received.some((m) => m.type === 'notice')).toBe(false);
    channel.close();
  });

  it('text an X application copies reaches the viewer unchanged', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const channel = await connect(server);
    const file = join(dir, 'copied.txt');
    writeFileSync(file, TEXT);
    // xclip keeps the selection (in the foreground) until the server is stopped.
    server.run('xclip', ['-quiet', '-selection', 'clipboard', '-i', file]);
    const received = await channel.until('the server’s clipboard', (all) => {
      const m = all.find((x) => x.type === 'clipboard');
      return m?.type === 'clipboard' ? m.text : undefined;
    });
    expect(received).toBe(TEXT);
    channel.close();
  });
});

describe('legacy clipboard against x11vnc (no Extended Clipboard)', () => {
  it('falls back to Latin-1 cut text: characters outside Latin-1 become "?" and the viewer is told', async () => {
    const server = await startX11vnc({ security: 'none', geometry: [320, 240] });
    const channel = await connect(server, false);
    channel.post({ type: 'clipboard', text: 'Grüße ✓ 日本' });
    await channel.until('the notice', (all) => all.some((m) => m.type === 'notice') || undefined);
    expect(channel.received.filter((m) => m.type === 'notice')).toEqual([
      {
        type: 'notice',
        message: '3 characters of the clipboard became "?": this server takes only Latin-1 text',
      },
    ]);
    expect(channel.received.some((m) => m.type === 'capabilities' && m.capabilities.extendedClipboard)).toBe(
      false,
    );
    channel.close();
  });
});
