import { describe, expect, it } from 'vitest';
import { RfbSession } from '../../../main/rfb/session.ts';
import { runSessionHost } from '../../../main/session/session-host.ts';
import { audioSamples, isAudioChunk } from '../../../shared/audio-wire.ts';
import type { FromSession } from '../../../shared/session-protocol.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { MemoryChannel } from '../../support/memory-channel.ts';
import { rectHeader, SERVER_FORMAT, serverInit, updateHeader } from '../../support/scripted-server.ts';

/** A session host whose connection is a scripted server in memory. */
function scriptedHost() {
  const written: number[][] = [];
  let session: RfbSession | undefined;
  const channel = new MemoryChannel();
  runSessionHost(channel, {
    connect: (_host, _port, options, events) => {
      session = new RfbSession(
        { write: (b) => written.push(Array.from(b)), close: () => undefined },
        options,
        events,
      );
      return { session };
    },
  });
  const server = (bytes: Uint8Array) => session!.receive(bytes);
  return { channel, written, server };
}

function connect(h: ReturnType<typeof scriptedHost>, audio = false) {
  h.channel.post({ type: 'open', request: { target: 'scripted', audio } });
  h.server(new TextEncoder().encode('RFB 003.008\n'));
  h.server(new Bytes().u8(1, 1).u32(0).build());
  h.server(serverInit(32, 16, SERVER_FORMAT, 'scripted').build());
}

const last = <T extends FromSession['type']>(channel: MemoryChannel, type: T) =>
  channel.received.filter((m): m is Extract<FromSession, { type: T }> => m.type === type).at(-1);

describe('the session host carries the extensions to the viewer', () => {
  it('audio asked for at open starts once acknowledged; blocks reach the viewer as binary chunks', () => {
    const h = scriptedHost();
    connect(h, true);
    h.written.length = 0;
    h.server(rectHeader(updateHeader(1), 0, 0, 32, 16, -259).build());
    expect(last(h.channel, 'capabilities')?.capabilities.audio).toBe(true);
    expect(h.written).toContainEqual([255, 1, 0, 2, 3, 2, 0, 0, 0xac, 0x44]);
    expect(h.written).toContainEqual([255, 1, 0, 0]);
    h.server(
      new Bytes().u8(255, 1, 0, 1).u8(255, 1, 0, 2).u32(8).raw([1, 0, 0xff, 0xff, 3, 0, 4, 0]).build(),
    );
    const chunk = last(h.channel, 'audio')!.chunk;
    expect(chunk).toBeInstanceOf(ArrayBuffer);
    expect(isAudioChunk(chunk)).toBe(true);
    expect(Array.from(audioSamples(chunk))).toEqual([1, -1, 3, 4]);
    h.written.length = 0;
    h.channel.post({ type: 'audio', on: false });
    expect(h.written).toEqual([[255, 1, 0, 1]]);
  });

  it('power: offered after XVP_INIT, sent when asked, refusal reported; not sent in view-only', () => {
    const h = scriptedHost();
    connect(h);
    h.channel.post({ type: 'power', action: 'reset' });
    expect(last(h.channel, 'power-result')).toMatchObject({
      ok: false,
      message: /does not offer power control/,
    });
    h.server(Uint8Array.of(250, 0, 1, 1));
    expect(last(h.channel, 'capabilities')?.capabilities.power).toBe(true);
    h.written.length = 0;
    h.channel.post({ type: 'power', action: 'reboot' });
    expect(h.written).toEqual([[250, 0, 1, 3]]);
    h.server(Uint8Array.of(250, 0, 1, 0));
    expect(last(h.channel, 'power-result')).toEqual({
      type: 'power-result',
      action: 'reboot',
      ok: false,
      message: 'the server refused to reboot the machine',
    });
    h.channel.post({ type: 'view-only', on: true });
    h.written.length = 0;
    h.channel.post({ type: 'power', action: 'reset' });
    expect(h.written).toEqual([]);
  });

  it('clipboard notices reach the viewer as notice messages', () => {
    const h = scriptedHost();
    connect(h);
    h.channel.post({ type: 'clipboard', text: '✓' });
    expect(last(h.channel, 'notice')).toEqual({
      type: 'notice',
      message: '1 character of the clipboard became "?": this server takes only Latin-1 text',
    });
  });
});
