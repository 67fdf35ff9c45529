import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { decodeDrawBatch } from '../../shared/draw-wire.ts';
import { DRAW_CREDITS } from '../../shared/session-protocol.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import {
  freePort,
  startChangingTerminal,
  startQemu,
  startXvnc,
  stopAllServers,
  waitFor,
  type XServer,
} from '../support/servers.ts';
import { differingPixels, sameImage } from '../support/truth.ts';

afterAll(() => stopAllServers());

const execFileAsync = promisify(execFile);

/** Where X's pointer is on the server's display, as `xdotool getmouselocation` reports it. */
async function pointerAt(server: XServer): Promise<{ x: number; y: number }> {
  const { stdout } = await execFileAsync('xdotool', ['getmouselocation'], {
    env: { ...process.env, DISPLAY: `:${server.display}` },
    timeout: 5000,
    encoding: 'utf8',
  });
  const found = /x:(\d+) y:(\d+)/.exec(stdout);
  if (!found) throw new Error(`xdotool getmouselocation said ${JSON.stringify(stdout)}`);
  return { x: Number(found[1]), y: Number(found[2]) };
}

const drawEnds = (channel: MemoryChannel) =>
  channel.received.filter((m) => m.type === 'draw' && decodeDrawBatch(m.batch).updateEnd).length;

describe('session host against a real Xvnc', () => {
  it('asks for the password, asks again after a wrong one, then streams the exact picture', async () => {
    const server = await startXvnc({ security: 'vncauth', password: 'pa55word', geometry: [640, 480] });
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target, quality: 'high' } });
    const first = await channel.untilPhase('password');
    expect(first.retry).toBe(false);

    let mark = channel.received.length;
    channel.post({ type: 'password', password: 'wrong' });
    const again = await channel.untilPhase('password', mark);
    expect(again.retry).toBe(true);
    expect(again.message).toMatch(/authentication failed/);

    mark = channel.received.length;
    channel.post({ type: 'password', password: 'pa55word' });
    const connected = await channel.untilPhase('connected', mark);
    expect([connected.width, connected.height]).toEqual([640, 480]);
    // Keep painting (and acknowledging) until the picture equals the server's own.
    await waitFor('the picture to equal xwd', 15_000, async () => {
      const image = channel.paint();
      const truth = await server.truth();
      if (sameImage(image, truth)) return true;
      throw new Error(`${differingPixels(image, truth)} pixels differ from xwd`);
    });
    channel.close();
  });

  it('holds back update requests while the viewer has not painted (credit of 2)', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    // A clock that redraws every 0.2 s keeps the server producing changes.
    server.run('xclock', ['-update', '1', '-geometry', '200x200+0+0']);
    server.run('xterm', [
      '-geometry',
      '40x10+220+0',
      '-e',
      'sh',
      '-c',
      'while :; do date +%N; sleep 0.05; done',
    ]);
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target } });
    await channel.untilPhase('connected');
    await channel.until('updates up to the credit', () => drawEnds(channel) >= DRAW_CREDITS || undefined);
    await new Promise((r) => setTimeout(r, 1000));
    // Xvnc streams with continuous updates: the session pauses them when the viewer is out of
    // credits, and the updates already on their way when the pause reaches the server still
    // arrive (one on an idle machine; a few when this process is slow to read). Then nothing.
    const held = drawEnds(channel);
    expect(held).toBeGreaterThanOrEqual(DRAW_CREDITS);
    expect(held).toBeLessThanOrEqual(DRAW_CREDITS + 4);
    await new Promise((r) => setTimeout(r, 1500));
    expect(drawEnds(channel)).toBe(held);

    // Painting them lets the stream go on.
    for (let i = 0; i < held; i++) channel.post({ type: 'painted' });
    await channel.until('more updates', () => drawEnds(channel) > held || undefined);

    // A viewer that keeps up gets a steady stream.
    const keepUp = setInterval(() => channel.post({ type: 'painted' }), 20);
    await channel.until('a stream of updates', () => drawEnds(channel) >= DRAW_CREDITS + 6 || undefined);
    clearInterval(keepUp);
    channel.close();
  });

  it('a hidden tab asks for updates about once a second, and at once again when it is in front', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    startChangingTerminal(server);
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target } });
    await channel.untilPhase('connected');
    const painting = setInterval(() => channel.paint(), 10);
    const updatesOver = async (ms: number) => {
      const before = channel.updatesPainted;
      await new Promise((r) => setTimeout(r, ms));
      return channel.updatesPainted - before;
    };
    await updatesOver(1000);
    const inFront = await updatesOver(3000);
    channel.post({ type: 'background', on: true });
    await updatesOver(1000); // what was already on its way
    const hidden = await updatesOver(4000);
    channel.post({ type: 'background', on: false });
    const back = await updatesOver(1000);
    clearInterval(painting);
    channel.close();
    console.log(`updates: in front ${inFront} in 3 s, hidden ${hidden} in 4 s, back in front ${back} in 1 s`);
    expect(inFront).toBeGreaterThanOrEqual(15);
    // A request a second, each answered by an update (or two, when one was already on its way).
    expect(hidden).toBeGreaterThanOrEqual(2);
    expect(hidden).toBeLessThanOrEqual(10);
    expect(back).toBeGreaterThanOrEqual(5);
  });

  it('reconnects by itself after the server drops, with a countdown, and gives the picture again', async () => {
    const options = { security: 'none' as const, geometry: [320, 240] as [number, number] };
    let server: XServer = await startXvnc(options);
    const channel = new MemoryChannel();
    runSessionHost(channel, { reconnectDelays: [1] });
    channel.post({ type: 'open', request: { target: server.target } });
    await channel.untilPhase('connected');
    let mark = channel.received.length;
    const port = server.port;
    server.kill();
    const reconnecting = await channel.untilPhase('reconnecting', mark);
    expect(reconnecting.attempt).toBe(1);
    expect(reconnecting.seconds).toBe(1);
    expect(reconnecting.error.kind).toBe('network');
    await server.stop();

    // The first attempts find nothing listening; the countdown goes on.
    await channel.until(
      'a second attempt',
      () => channel.statuses().some((s) => s.phase === 'reconnecting' && s.attempt >= 2) || undefined,
    );
    mark = channel.received.length;
    server = await startXvnc({ ...options, port });
    await channel.untilPhase('connected', mark, 20_000);
    // The viewer may have connected and drawn before startXvnc returned: look from the status on.
    const connectedAt = channel.received.findIndex(
      (m, i) => i >= mark && m.type === 'status' && m.status.phase === 'connected',
    );
    await channel.until(
      'a picture after reconnecting',
      (r) =>
        r.slice(connectedAt).some((m) => m.type === 'draw' && decodeDrawBatch(m.batch).updateEnd) ||
        undefined,
    );

    // Disconnect ends it for good, without an error.
    mark = channel.received.length;
    channel.post({ type: 'disconnect' });
    const closed = await channel.untilPhase('closed', mark);
    expect(closed.error).toBeUndefined();
  });

  it('ends with the reason, without retrying, when nothing ever listened', async () => {
    const channel = new MemoryChannel();
    runSessionHost(channel, { reconnectDelays: [0.1] });
    channel.post({ type: 'open', request: { target: '127.0.0.1::1' } });
    const closed = await channel.untilPhase('closed');
    expect(closed.error?.kind).toBe('network');
    expect(closed.error?.message).toMatch(/nothing is listening/);
    expect(channel.statuses().some((s) => s.phase === 'reconnecting')).toBe(false);
  });

  it('drops input in view-only mode and ignores malformed messages', async () => {
    const server = await startXvnc({ security: 'none', geometry: [320, 240] });
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target, viewOnly: true } });
    await channel.untilPhase('connected');
    const start = await pointerAt(server);
    for (const junk of [
      null,
      42,
      'x',
      { type: 'key' },
      { type: 'pointer', x: -1, y: 0, buttons: 0 },
      { type: 'nope' },
    ]) {
      channel.post(junk);
    }
    // A well-formed move, dropped while view-only: X's pointer stays where it was.
    channel.post({ type: 'pointer', x: 37, y: 53, buttons: 0 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await pointerAt(server)).toEqual(start);
    expect(channel.statuses().at(-1)?.phase).toBe('connected');

    channel.post({ type: 'view-only', on: false });
    await channel.until(
      'view-only off',
      (r) => r.some((m) => m.type === 'settings' && !m.viewOnly) || undefined,
    );
    channel.post({ type: 'pointer', x: 37, y: 53, buttons: 0 });
    await waitFor('the X pointer to move to 37,53', 10_000, async () => {
      const at = await pointerAt(server);
      return at.x === 37 && at.y === 53 ? true : undefined;
    });
    channel.close();
  });

  it('listen mode: QEMU started with reverse=on connects to the viewer and its screen arrives', async () => {
    const port = await freePort();
    const channel = new MemoryChannel();
    runSessionHost(channel, { listenHost: '127.0.0.1' });
    channel.post({ type: 'open', request: { target: `listening on port ${port}`, listenPort: port } });
    expect((await channel.untilPhase('listening')).port).toBe(port);
    const qemu = spawn(
      'qemu-system-x86_64',
      ['-display', 'none', '-vnc', `127.0.0.1:${port},reverse=on`, '-nic', 'none', '-m', '64'],
      { stdio: 'ignore' },
    );
    try {
      const connected = await channel.untilPhase('connected', 0, 30_000);
      expect(connected.name).toMatch(/QEMU/);
      await channel.until('a picture', () => drawEnds(channel) >= 1 || undefined);
      // A second listener on the same port is refused with a clear reason.
      const other = new MemoryChannel();
      runSessionHost(other, { listenHost: '127.0.0.1' });
      const blocker = net.createServer().listen(port, '127.0.0.1');
      await new Promise((r) => blocker.once('listening', r));
      other.post({ type: 'open', request: { target: 'x', listenPort: port } });
      expect((await other.untilPhase('closed')).error?.message).toMatch(/already in use/);
      blocker.close();
    } finally {
      qemu.kill('SIGKILL');
      channel.close();
    }
  });

  it('QEMU acknowledges Extended Key Event, so keys carry scancodes', async () => {
    const server = await startQemu({ security: 'none' });
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target } });
    await channel.untilPhase('connected');
    await channel.until('a capabilities message with extendedKeys', (r) =>
      r.find((m) => m.type === 'capabilities' && m.capabilities.extendedKeys),
    );
    channel.close();
  });
});
