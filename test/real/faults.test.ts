import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import type { FromSession } from '../../shared/session-protocol.ts';
import { comparePictures, reduceTruth } from '../support/colour-model.ts';
import { type Delivery, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import {
  startQemu,
  startXvnc,
  stopAllServers,
  type VncServer,
  waitFor,
  type XServer,
} from '../support/servers.ts';

/*
 * A real Xvnc (and QEMU) behind the fault-injecting proxy (test/support/fault-proxy.ts), driven
 * through the session host as the viewer drives it: odd delivery must not change the picture,
 * a cut connection must say so and come back exact with the session's settings.
 */

afterAll(() => stopAllServers());

/** Paints (acknowledging updates) until the picture equals the server's own, reduced to `level`. */
function untilExact(channel: MemoryChannel, server: VncServer, ms: number, level: ColourLevel = 'full') {
  return waitFor(`the picture to equal the server's (${level})`, ms, async () => {
    const image = channel.paint();
    const truth = await server.truth();
    const expected = reduceTruth(truth.data, level, server.kind);
    const { different, first } = comparePictures(image.data, expected, truth.width);
    if (image.width === truth.width && different === 0) return true;
    throw new Error(`${different} pixels differ, first ${first}`);
  });
}

const lastSettings = (channel: MemoryChannel) =>
  channel.received
    .filter((m): m is Extract<FromSession, { type: 'settings' }> => m.type === 'settings')
    .at(-1);

describe('odd delivery between the viewer and a real Xvnc', () => {
  let server: XServer;
  beforeAll(async () => {
    server = await startXvnc({ security: 'none', geometry: [320, 240] });
  }, 60_000);

  const cases: [string, Partial<Delivery>][] = [
    ['one byte per write, both ways', { pieces: 'bytes' }],
    ['random pieces of 1 B–4 KiB', { pieces: 'random' }],
    ['80 ms latency with 0–60 ms jitter', { latencyMs: 80, jitterMs: 60 }],
    ['a 200 kbit/s link', { kbps: 200 }],
  ];
  for (const [what, delivery] of cases) {
    it(`${what}: the picture ends pixel-exact`, async () => {
      const proxy = await startFaultProxy(server.port, delivery);
      const channel = new MemoryChannel();
      runSessionHost(channel);
      channel.post({ type: 'open', request: { target: proxy.target, quality: 'high' } });
      await channel.untilPhase('connected', 0, 60_000);
      await untilExact(channel, server, 90_000);
      // The pieces reached the viewer one write each (a piece per turn of the event loop).
      if (delivery.pieces === 'bytes') expect(proxy.stats.writesToViewer).toBe(proxy.stats.bytesToViewer);
      if (delivery.pieces === 'random') expect(proxy.stats.writesToViewer).toBeGreaterThan(20);
      channel.close();
      await proxy.close();
    }, 180_000);
  }
});

describe('a connection cut in the middle of an update', () => {
  let server: XServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startXvnc({ security: 'none', geometry: [640, 480] });
    proxy = await startFaultProxy(server.port);
  }, 60_000);
  afterAll(() => proxy.close());

  /** Cuts the connection 600 bytes into a full update the viewer asks for; returns the status it shows. */
  async function cutDuringRefresh(channel: MemoryChannel, how: 'close' | 'reset') {
    const mark = channel.received.length;
    proxy.cutAfter(600, how);
    channel.post({ type: 'refresh' });
    return channel.untilPhase('reconnecting', mark, 30_000);
  }

  it('a reset: the status says so, and the reconnect brings the picture back exact', async () => {
    const channel = new MemoryChannel();
    runSessionHost(channel, { reconnectDelays: [1] });
    channel.post({ type: 'open', request: { target: proxy.target, quality: 'high' } });
    await channel.untilPhase('connected', 0, 30_000);
    await untilExact(channel, server, 30_000);

    const before = proxy.stats.connections;
    const status = await cutDuringRefresh(channel, 'reset');
    expect(status.error.kind).toBe('network');
    expect(status.error.message).toMatch(
      /^the server closed the connection in the middle of a screen update \((read|write) ECONNRESET\)$/,
    );
    const mark = channel.received.length;
    await channel.untilPhase('connected', mark, 30_000);
    expect(proxy.stats.connections).toBe(before + 1);
    await untilExact(channel, server, 30_000);
    channel.close();
  }, 120_000);

  it('a drop: quality, colour level and view only survive the reconnect', async () => {
    const channel = new MemoryChannel();
    runSessionHost(channel, { reconnectDelays: [1] });
    channel.post({ type: 'open', request: { target: proxy.target, quality: 'auto' } });
    await channel.untilPhase('connected', 0, 30_000);
    // Changed during the session, as from the toolbar.
    channel.post({ type: 'quality', quality: 'high' });
    channel.post({ type: 'colour-level', level: 'rgb565' });
    channel.post({ type: 'view-only', on: true });
    await untilExact(channel, server, 30_000, 'rgb565');

    const status = await cutDuringRefresh(channel, 'close');
    expect(status.error.message).toMatch(
      /^the server closed the connection in the middle of a screen update$/,
    );
    const mark = channel.received.length;
    await channel.untilPhase('connected', mark, 30_000);
    expect(lastSettings(channel)).toMatchObject({ quality: 'high', colourLevel: 'rgb565', viewOnly: true });
    // The new connection asked for 16-bit colour again: the picture is the server's at rgb565.
    await untilExact(channel, server, 30_000, 'rgb565');
    channel.close();
  }, 120_000);

  it('a half-close from the server side ends the connection with a clear message and reconnects', async () => {
    const channel = new MemoryChannel();
    runSessionHost(channel, { reconnectDelays: [1] });
    channel.post({ type: 'open', request: { target: proxy.target, quality: 'high' } });
    await channel.untilPhase('connected', 0, 30_000);
    await untilExact(channel, server, 30_000);
    let mark = channel.received.length;
    proxy.halfClose('to-viewer');
    const status = await channel.untilPhase('reconnecting', mark, 30_000);
    expect(status.error.message).toMatch(/^the server closed the connection/);
    mark = channel.received.length;
    await channel.untilPhase('connected', mark, 30_000);
    await untilExact(channel, server, 30_000);
    channel.close();
  }, 120_000);
});

describe('the VM host reboots', () => {
  it('QEMU killed and started again on the same port later: the reconnect with backoff finds it, picture exact', async () => {
    const first = await startQemu({ security: 'none' });
    const port = first.port;
    const channel = new MemoryChannel();
    // The default backoff: 1, 2, 4, 8, 15, 30 s.
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: first.target, quality: 'high' } });
    await channel.untilPhase('connected', 0, 30_000);
    await untilExact(channel, first, 30_000);

    let mark = channel.received.length;
    first.kill();
    await channel.untilPhase('reconnecting', mark, 30_000);
    await first.stop();
    // Down for several attempts (1 + 2 s of backoff at least) before it listens again.
    await channel.until(
      'the third attempt',
      () => channel.statuses().some((s) => s.phase === 'reconnecting' && s.attempt >= 3) || undefined,
      30_000,
    );
    mark = channel.received.length;
    const second = await startQemu({ security: 'none', port });
    await channel.untilPhase('connected', mark, 60_000);
    await untilExact(channel, second, 30_000);
    channel.close();
  }, 240_000);
});
