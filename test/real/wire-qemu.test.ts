import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import type { FromSession, RemoteLeds } from '../../shared/session-protocol.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { type QemuServer, startQemuInBootMenu } from '../support/servers.ts';

/**
 * The session host wiring of the engine's QEMU events: SetDesktopSize through `resize-remote`
 * (answered "request forwarded" by a virtio-gpu display, shown as a notice), the pointer mode
 * (relative for QEMU's default PS/2 mouse) and the LED state, which follows a Caps Lock tap sent
 * the way the viewer's lock-key sync sends it. The VM waits in SeaBIOS's boot menu, whose
 * keyboard polling sets the lights (see stream-qemu.test.ts).
 */
describe('session host wiring against QEMU (-vga virtio, boot menu)', () => {
  let server: QemuServer;
  const channels: MemoryChannel[] = [];

  beforeAll(async () => {
    server = await startQemuInBootMenu();
  }, 120_000);

  afterAll(async () => {
    for (const channel of channels) channel.close();
    await server?.stop();
  });

  /** A connected host whose draw updates are acknowledged as a viewer would. */
  async function open(): Promise<MemoryChannel> {
    const channel = new MemoryChannel();
    channels.push(channel);
    runSessionHost(channel);
    const send = channel.send.bind(channel);
    channel.send = (message: FromSession) => {
      send(message);
      if (message.type === 'draw') queueMicrotask(() => channel.post({ type: 'painted' }));
    };
    channel.post({ type: 'open', request: { target: server.target, quality: 'high' } });
    await channel.untilPhase('connected');
    return channel;
  }

  const leds = (channel: MemoryChannel): RemoteLeds[] =>
    channel.received.flatMap((m) => (m.type === 'leds' ? [m.leds] : []));

  it('resize-remote is offered (a screen layout came) and answered on the notice line', async () => {
    const channel = await open();
    await channel.until('the resizeRemote capability', (received) =>
      received.some((m) => m.type === 'capabilities' && m.capabilities.resizeRemote),
    );
    channel.post({ type: 'resize-remote', width: 1024, height: 768 });
    const notice = await channel.until('the SetDesktopSize notice', (received) =>
      received.flatMap((m) => (m.type === 'notice' ? [m.message] : [])).at(-1),
    );
    expect(notice).toMatch(/forwarded to the guest/);
    channel.close();
  }, 40_000);

  it('says the pointer is relative (QEMU default PS/2 mouse)', async () => {
    const channel = await open();
    const mode = await channel.until('the pointer mode', (received) =>
      received.flatMap((m) => (m.type === 'pointer-mode' ? [m.mode] : [])).at(-1),
    );
    expect(mode).toBe('relative');
    channel.close();
  }, 40_000);

  it('forwards the LED state, which follows a Caps Lock tap with its scancode', async () => {
    const channel = await open();
    await channel.until('the LED state', () => leds(channel)[0]);
    const capsBefore = leds(channel).at(-1)!.capsLock;
    for (const down of [true, false]) channel.post({ type: 'key', keysym: 0xffe5, down, scancode: 0x3a });
    await channel.until(`Caps Lock ${capsBefore ? 'off' : 'on'}`, () =>
      leds(channel).at(-1)?.capsLock === !capsBefore ? true : undefined,
    );
    for (const down of [true, false]) channel.post({ type: 'key', keysym: 0xffe5, down, scancode: 0x3a });
    await channel.until(`Caps Lock back ${capsBefore ? 'on' : 'off'}`, () =>
      leds(channel).at(-1)?.capsLock === capsBefore ? true : undefined,
    );
    channel.close();
  }, 45_000);
});
