import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { startWebServer } from '../../main/web/server.ts';
import { decodeDrawBatch } from '../../shared/draw-wire.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { startXvnc, stopAllServers } from '../support/servers.ts';
import { openWebPage } from '../support/web-session.ts';

/*
 * Opens and closes many sessions against a real Xvnc (connect, draw, disconnect; also a reset
 * with its reconnect, and a refused connection) and checks that what the process holds comes
 * back to where it started: open sockets, file descriptors, timers. SOAK_SESSIONS sets how
 * many (30 here; the README reports a run of 500). The heap is logged, not checked: with no
 * gc() to call, garbage not yet collected counts too. The same again in browser mode: sessions
 * over real WebSockets to the web server, each ended by Disconnect or by the page going away.
 */

afterAll(() => stopAllServers());

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 30);

/** What the process holds: its file descriptors and its live handles by kind (sockets, timers…). */
function holdings() {
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  return {
    fds: readdirSync('/proc/self/fd').length,
    resources,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

const hasUpdate = (channel: MemoryChannel) =>
  channel.received.some((m) => m.type === 'draw' && decodeDrawBatch(m.batch).updateEnd) || undefined;

describe('sessions opened and closed many times', () => {
  it(`${SESSIONS} sessions against Xvnc leave no socket, descriptor or timer behind`, async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const proxy = await startFaultProxy(server.port);
    // One session first, so that what stays loaded for good (modules, the zlib binding) is counted in.
    const warm = new MemoryChannel();
    runSessionHost(warm);
    warm.post({ type: 'open', request: { target: server.target } });
    await warm.until('a first update', () => hasUpdate(warm));
    warm.post({ type: 'disconnect' });
    await warm.untilPhase('closed');
    await new Promise((r) => setTimeout(r, 500));
    const before = holdings();

    for (let i = 0; i < SESSIONS; i++) {
      const channel = new MemoryChannel();
      runSessionHost(channel, { reconnectDelays: [0.2] });
      switch (i % 3) {
        case 0: // connect, draw, disconnect
          channel.post({ type: 'open', request: { target: server.target } });
          await channel.until('a first update', () => hasUpdate(channel));
          channel.paint();
          channel.post({ type: 'disconnect' });
          await channel.untilPhase('closed');
          break;
        case 1: {
          // through the proxy: a reset, the reconnect, then the viewer goes away
          channel.post({ type: 'open', request: { target: proxy.target } });
          await channel.untilPhase('connected');
          const mark = channel.received.length;
          proxy.reset();
          await channel.untilPhase('connected', mark);
          channel.close();
          break;
        }
        default: // nothing listening
          channel.post({ type: 'open', request: { target: '127.0.0.1::1' } });
          await channel.untilPhase('closed');
      }
    }
    // Closed sockets finish closing on the next turns of the event loop.
    await new Promise((r) => setTimeout(r, 1000));
    const after = holdings();
    console.log(`${SESSIONS} sessions: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    expect(after.fds).toBeLessThanOrEqual(before.fds);
    for (const kind of ['TCPSocketWrap', 'TCPWrap', 'Timeout']) {
      expect(after.resources[kind] ?? 0, kind).toBeLessThanOrEqual(before.resources[kind] ?? 0);
    }
    await proxy.close();
  }, 600_000);

  it(`${SESSIONS} browser-mode sessions (WebSocket and session stream) leave no socket, descriptor or timer behind`, async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const dataDir = mkdtempSync(join(tmpdir(), 'porthole-soak-web-'));
    const web = await startWebServer({ port: 0, rendererDir: dataDir, dataDir });
    const page = await openWebPage(web.url, web.port);
    const run = async (ending: 'disconnect' | 'page-gone' | 'refused') => {
      const session = await page.openSession();
      const target = ending === 'refused' ? '127.0.0.1::1' : server.target;
      session.send({ type: 'open', request: { target } });
      if (ending === 'refused') {
        await session.until('closed status', session.phase('closed'));
      } else {
        await session.until('a picture', () => session.received().some((m) => m.type === 'draw'));
        session.send({ type: 'painted' });
        if (ending === 'disconnect') {
          session.send({ type: 'disconnect' });
          await session.until('closed status', session.phase('closed'));
        }
      }
      // The page goes away (a closed tab) with or without having disconnected first.
      await new Promise<void>((resolve) => {
        session.ws.once('close', () => resolve());
        session.ws.close();
      });
    };
    await run('disconnect');
    await new Promise((r) => setTimeout(r, 500));
    const before = holdings();
    const endings = ['disconnect', 'page-gone', 'refused'] as const;
    for (let i = 0; i < SESSIONS; i++) await run(endings[i % 3]);
    await new Promise((r) => setTimeout(r, 1000));
    const after = holdings();
    console.log(
      `${SESSIONS} browser-mode sessions: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
    );
    expect(after.fds).toBeLessThanOrEqual(before.fds);
    for (const kind of ['TCPSocketWrap', 'TCPWrap', 'Timeout']) {
      expect(after.resources[kind] ?? 0, kind).toBeLessThanOrEqual(before.resources[kind] ?? 0);
    }
    await page.stop();
    await web.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 600_000);
});
