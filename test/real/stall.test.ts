import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { type Direction, startFaultProxy } from '../support/fault-proxy.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { startQemu, startXvnc, stopAllServers, type VncServer, waitFor } from '../support/servers.ts';
import { sameImage } from '../support/truth.ts';

/*
 * Stall detection (main/session/stall-watch.ts) against real servers behind the fault proxy:
 * a server that stops answering with its socket open is probed (Xvnc: a Fence; QEMU, which has
 * no Fence: SetEncodings again while its one update request is open, which it answers at once)
 * and, without an answer, the connection ends with a clear
 * message and reconnects; a still screen is probed and answers, so it is never a stall.
 * The stall time is 2 s here (20 s in the app); STALL_TEST_STILL_SECONDS sets how long the
 * still-screen check runs (60 s by default).
 */

afterAll(() => stopAllServers());

const STALL_SECONDS = 2;
const PROBE_SECONDS = 1;
const STILL_SECONDS = Number(process.env.STALL_TEST_STILL_SECONDS ?? 60);
const STALLED = /^the server stopped answering \(no data for \d+ s\)$/;

/** A session through a fresh fault proxy to `server`, connected and showing the server's picture. */
async function connectThroughProxy(server: VncServer, stallSeconds = STALL_SECONDS) {
  const proxy = await startFaultProxy(server.port);
  const channel = new MemoryChannel();
  runSessionHost(channel, { reconnectDelays: [1], probeSeconds: PROBE_SECONDS });
  channel.post({ type: 'open', request: { target: proxy.target, quality: 'high', stallSeconds } });
  await channel.untilPhase('connected', 0, 30_000);
  await untilExact(channel, server);
  return { proxy, channel };
}

function untilExact(channel: MemoryChannel, server: VncServer) {
  return waitFor("the picture to equal the server's", 30_000, async () => {
    const image = channel.paint();
    return sameImage(image, await server.truth()) ? true : undefined;
  });
}

/** Stalls the link one way; the session must say the server stopped answering, then come back. */
async function stallAndRecover(server: VncServer, direction: Direction) {
  const { proxy, channel } = await connectThroughProxy(server);
  let mark = channel.received.length;
  proxy.stall(direction);
  const status = await channel.untilPhase('reconnecting', mark, 30_000);
  expect(status.error.kind).toBe('timeout');
  expect(status.error.message).toMatch(STALLED);
  proxy.resume();
  mark = channel.received.length;
  await channel.untilPhase('connected', mark, 30_000);
  await untilExact(channel, server);
  channel.close();
  await proxy.close();
}

describe('a server that stops answering with the connection open', () => {
  it('Xvnc, nothing reaching the viewer: probed with a Fence, reported, reconnected exact', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    await stallAndRecover(server, 'to-viewer');
  }, 120_000);

  it('Xvnc, nothing reaching the server: the probe goes unanswered just the same', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    await stallAndRecover(server, 'to-server');
  }, 120_000);

  it('QEMU (no Fence): probed (SetEncodings while its update request is open), reported, reconnected exact', async () => {
    const server = await startQemu({ security: 'none' });
    await stallAndRecover(server, 'to-viewer');
  }, 120_000);

  it('after a resume the viewer checks at once instead of waiting for the stall time', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const { proxy, channel } = await connectThroughProxy(server, 3600);
    const mark = channel.received.length;
    proxy.stall('both');
    channel.post({ type: 'check-connection' });
    const status = await channel.untilPhase('reconnecting', mark, 30_000);
    expect(status.error.message).toMatch(STALLED);
    channel.close();
    await proxy.close();
  }, 60_000);
});

describe('a still screen is not a stall', () => {
  it(`Xvnc and QEMU stay connected over ${STILL_SECONDS} s of a still screen, answering every probe`, async () => {
    const servers = [
      await startXvnc({ security: 'none', geometry: [320, 240] }),
      await startQemu({ security: 'none' }),
    ];
    const sessions = await Promise.all(servers.map((s) => connectThroughProxy(s)));
    const before = sessions.map(({ channel, proxy }) => ({
      messages: channel.received.length,
      bytes: proxy.stats.bytesToViewer,
    }));
    await new Promise((r) => setTimeout(r, STILL_SECONDS * 1000));
    sessions.forEach(({ channel, proxy }, i) => {
      channel.paint();
      // No status since: still connected, no reconnect.
      expect(channel.statuses().length, servers[i].kind).toBe(
        channel.received.slice(0, before[i].messages).filter((m) => m.type === 'status').length,
      );
      // The probes went out and were answered (the screen itself sent nothing).
      expect(proxy.stats.bytesToViewer, servers[i].kind).toBeGreaterThan(before[i].bytes);
      expect(proxy.stats.connections).toBe(1);
    });
    for (const { channel, proxy } of sessions) {
      channel.close();
      await proxy.close();
    }
  }, 180_000);
});
