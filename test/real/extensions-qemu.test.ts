import { afterAll, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import type { FromSession, ServerCapabilities } from '../../shared/session-protocol.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { type QemuServer, startQemu, stopAllServers, waitFor } from '../support/servers.ts';

afterAll(() => stopAllServers());

/** QEMU with power control and an audio backend; its -trace events show what it received. */
function startPowerQemu(): Promise<QemuServer> {
  return startQemu({
    security: 'none',
    vncOptions: ['power-control=on', 'audiodev=snd'],
    qemuArgs: [
      '-audiodev',
      'none,id=snd',
      '-trace',
      'qemu_system_powerdown_request',
      '-trace',
      'vnc_msg_client_audio_*',
    ],
  });
}

function capabilities(channel: MemoryChannel): ServerCapabilities | undefined {
  const all = channel.received.filter((m) => m.type === 'capabilities');
  const last = all.at(-1);
  return last?.type === 'capabilities' ? last.capabilities : undefined;
}

function powerResults(channel: MemoryChannel): Extract<FromSession, { type: 'power-result' }>[] {
  return channel.received.flatMap((m) => (m.type === 'power-result' ? [m] : []));
}

async function connect(server: QemuServer, audio = false): Promise<MemoryChannel> {
  const channel = new MemoryChannel();
  runSessionHost(channel);
  channel.post({ type: 'open', request: { target: server.target, audio } });
  await channel.untilPhase('connected');
  await channel.until('power control to be offered', () => capabilities(channel)?.power || undefined);
  return channel;
}

describe('XVP and QEMU Audio against QEMU -vnc power-control=on', () => {
  it('offers power control (XVP_INIT), Extended Clipboard and audio', async () => {
    const server = await startPowerQemu();
    const channel = await connect(server);
    await channel.until('audio to be acknowledged', () => capabilities(channel)?.audio || undefined);
    expect(capabilities(channel)).toMatchObject({
      extendedKeys: true,
      power: true,
      extendedClipboard: true,
      audio: true,
    });
    channel.close();
  });

  it('reset resets the VM: the paused machine goes back to its pre-launch state', async () => {
    const server = await startPowerQemu();
    expect(await server.monitor('info status')).toMatch(/VM status: paused$/m);
    const channel = await connect(server);
    channel.post({ type: 'power', action: 'reset' });
    const status = await waitFor('the VM to be reset', 10_000, async () => {
      const text = await server.monitor('info status');
      return /prelaunch/.test(text) ? text : undefined;
    });
    expect(status).toMatch(/VM status: paused \(prelaunch\)/);
    // A reset CPU starts at the reset vector.
    expect(await server.monitor('info registers')).toMatch(/EIP=0000fff0/);
    expect(powerResults(channel)).toEqual([
      { type: 'power-result', action: 'reset', ok: true, message: 'asked the server to reset the machine' },
    ]);
    channel.close();
  });

  it('reboot is refused by QEMU (XVP_FAIL) and the viewer is told', async () => {
    const server = await startPowerQemu();
    const channel = await connect(server);
    channel.post({ type: 'power', action: 'reboot' });
    const failed = await channel.until('the refusal', () => powerResults(channel).find((r) => !r.ok));
    expect(failed).toEqual({
      type: 'power-result',
      action: 'reboot',
      ok: false,
      message: 'the server refused to reboot the machine',
    });
    // The session goes on.
    expect(channel.statuses().at(-1)?.phase).toBe('connected');
    channel.close();
  });

  it('shutdown presses the ACPI power button: QEMU raises a powerdown request; a VM without an OS stays on', async () => {
    const server = await startPowerQemu();
    const channel = await connect(server);
    expect(server.log()).not.toMatch(/qemu_system_powerdown_request/);
    channel.post({ type: 'power', action: 'shutdown' });
    await waitFor('the powerdown request', 10_000, async () =>
      /qemu_system_powerdown_request/.test(server.log()) ? true : undefined,
    );
    // Only a guest OS that handles ACPI powers off; the firmware alone ignores the button.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await server.monitor('info status')).toMatch(/VM status: paused$/m);
    expect(powerResults(channel).map((r) => r.ok)).toEqual([true]);
    channel.close();
  });

  it('Play remote audio asks QEMU for S16 stereo 44100 Hz and enables the stream', async () => {
    const server = await startPowerQemu();
    const channel = await connect(server, true);
    await waitFor('QEMU to enable audio', 10_000, async () =>
      /vnc_msg_client_audio_enable/.test(server.log()) ? true : undefined,
    );
    expect(server.log()).toMatch(/vnc_msg_client_audio_format .*fmt=3 channels=2 freq=44100/);
    const before = server.log().length;
    channel.post({ type: 'audio', on: false });
    await waitFor('QEMU to disable audio', 10_000, async () =>
      /vnc_msg_client_audio_disable/.test(server.log()) ? true : undefined,
    );
    expect(server.log().length).toBeGreaterThan(before);
    expect(channel.statuses().at(-1)?.phase).toBe('connected');
    channel.close();
  });
});
