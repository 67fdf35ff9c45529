import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import type { FromSession } from '../../shared/session-protocol.ts';
import { busyScreen } from '../support/content.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { startXvnc, stopAllServers, stopProcess, waitFor, type XServer } from '../support/servers.ts';
import { differingPixels, sameImage } from '../support/truth.ts';

afterAll(() => stopAllServers());

type Settings = Extract<FromSession, { type: 'settings' }>;
const autoSettings = (channel: MemoryChannel) =>
  channel.received.filter((m): m is Settings => m.type === 'settings' && m.auto !== undefined);

/** A terminal printing the time many times a second: a desktop in ordinary use. */
function activeScreen(server: XServer): ChildProcess {
  return server.run('xterm', [
    '-geometry',
    '100x30+0+0',
    '-e',
    'sh',
    '-c',
    'while :; do date +%T.%N; head -c 300 /dev/urandom | base64; sleep 0.1; done',
  ]);
}

describe('picture quality Auto against a real Xvnc', () => {
  it('steps down to low JPEG and 8-bit colour on a slow link, back up when it is fast, and ends exact after High by hand', async () => {
    const server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    const content = busyScreen(server);
    const proxy = await startFaultProxy(server.port, {});
    proxy.set({ kbps: 120 }, 'to-viewer');
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: `127.0.0.1::${proxy.port}`, quality: 'auto' } });
    await channel.untilPhase('connected', 0, 30_000);

    const slow = await waitFor('Auto to choose 8-bit colour on the 120 kbit/s link', 60_000, async () => {
      channel.paint();
      return autoSettings(channel).find((m) => /8-bit colour/.test(m.auto!));
    });
    expect(slow.quality).toBe('auto');
    expect(slow.auto).toMatch(/^Auto: 1[0-3]\d kbit\/s, round trip \d+ ms → 8-bit colour, lossless$/);

    proxy.set({ kbps: Number.POSITIVE_INFINITY }, 'to-viewer');
    const seen = autoSettings(channel).length;
    const fast = await waitFor('Auto to go back to full colour on the open link', 60_000, async () => {
      channel.paint();
      return autoSettings(channel)
        .slice(seen)
        .find((m) => /Mbit\/s.* → (lossless|medium JPEG)$/.test(m.auto!));
    });
    expect(fast.auto).not.toMatch(/8-bit/);

    // Choosing High by hand after Auto's switches: once the screen is still, the picture equals
    // the server's own, so no update was lost or decoded in the wrong pixel format.
    channel.post({ type: 'quality', quality: 'high' });
    await stopProcess(content);
    await waitFor('the picture to equal xwd', 30_000, async () => {
      const image = channel.paint();
      const truth = await server.truth();
      if (sameImage(image, truth)) return true;
      throw new Error(`${differingPixels(image, truth)} pixels differ from xwd`);
    });
    expect(channel.statuses().some((s) => s.phase === 'closed' || s.phase === 'reconnecting')).toBe(false);
    channel.close();
    await proxy.close();
  }, 150_000);

  it('stays lossless on a local connection with an active screen', async () => {
    const server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    const content = activeScreen(server);
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target, quality: 'auto' } });
    await channel.untilPhase('connected');
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      channel.paint();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(channel.updatesPainted).toBeGreaterThan(20);
    expect(autoSettings(channel).map((m) => m.auto)).toEqual([]);
    await stopProcess(content);
    channel.close();
  }, 60_000);
});
