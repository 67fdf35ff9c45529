import { describe, expect, it } from 'vitest';
import {
  AudioError,
  buildAudioDisable,
  buildAudioEnable,
  buildAudioSetFormat,
  parseAudioServerMessage,
  QEMU_AUDIO_ENCODING,
  VIEWER_AUDIO_FORMAT,
} from '../../../main/rfb/extensions/qemu-audio.ts';
import { MAX_AUDIO_BLOCK } from '../../../main/rfb/extensions/session-extensions.ts';
import { AUDIO_MAGIC, audioSamples, encodeAudioChunk, isAudioChunk } from '../../../shared/audio-wire.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { rectHeader, updateHeader } from '../../support/scripted-server.ts';
import { ExtensionsHarness } from './harness.ts';

const BEGIN = Uint8Array.of(255, 1, 0, 1);
const END = Uint8Array.of(255, 1, 0, 0);
function data(samples: number[]): Uint8Array {
  return new Bytes().u8(255, 1, 0, 2).u32(samples.length).raw(samples).build();
}
/** The server's acknowledgement: an update with one empty -259 pseudo-rectangle. */
const ACK = rectHeader(updateHeader(1), 0, 0, 32, 16, -259).build();

describe('QEMU Audio message formats', () => {
  it('builds enable, disable and S16 stereo 44100 Hz set-format', () => {
    expect(QEMU_AUDIO_ENCODING).toBe(-259);
    expect(Array.from(buildAudioEnable())).toEqual([255, 1, 0, 0]);
    expect(Array.from(buildAudioDisable())).toEqual([255, 1, 0, 1]);
    expect(Array.from(buildAudioSetFormat(VIEWER_AUDIO_FORMAT))).toEqual([
      255, 1, 0, 2, 3, 2, 0, 0, 0xac, 0x44,
    ]);
  });

  it('parses begin, end and data, asking for more until a message is whole', () => {
    expect(parseAudioServerMessage(BEGIN, 100)).toEqual({ message: { kind: 'begin' }, length: 4 });
    expect(parseAudioServerMessage(END, 100)).toEqual({ message: { kind: 'end' }, length: 4 });
    const d = data([1, 2, 3, 4]);
    for (let n = 0; n < d.length; n++) expect(parseAudioServerMessage(d.subarray(0, n), 100).length).toBe(0);
    const whole = parseAudioServerMessage(d, 100);
    expect(whole.length).toBe(12);
    expect(whole.message).toEqual({ kind: 'data', samples: Uint8Array.of(1, 2, 3, 4) });
  });

  it('rejects an oversized block and an unknown operation', () => {
    expect(() => parseAudioServerMessage(new Bytes().u8(255, 1, 0, 2).u32(101).build(), 100)).toThrow(
      AudioError,
    );
    expect(() => parseAudioServerMessage(Uint8Array.of(255, 1, 0, 7), 100)).toThrow(/operation 7/);
  });

  it('audio chunks carry their magic and whole stereo frames', () => {
    const chunk = encodeAudioChunk(Uint8Array.of(1, 0, 2, 0, 3, 0, 4, 0, 9));
    expect(isAudioChunk(chunk)).toBe(true);
    expect(new DataView(chunk).getUint32(0, true)).toBe(AUDIO_MAGIC);
    expect(Array.from(audioSamples(chunk))).toEqual([1, 2, 3, 4]);
    expect(isAudioChunk(new Uint8Array([0x50, 0x48, 0x44, 0x31]).buffer)).toBe(false);
  });
});

describe('QEMU Audio in a session', () => {
  it('asks for S16 stereo and enables only after the acknowledgement, at every split', () => {
    for (let at = 1; at < ACK.length; at++) {
      const h = new ExtensionsHarness();
      h.session.setAudio(true);
      expect(h.takeSent()).toEqual([]);
      h.receiveSplit(ACK, at);
      expect(h.events).toEqual([{ kind: 'audio-available' }]);
      const sent = h.takeSent().map((m) => Array.from(m));
      expect(sent).toContainEqual([255, 1, 0, 2, 3, 2, 0, 0, 0xac, 0x44]);
      expect(sent).toContainEqual([255, 1, 0, 0]);
    }
  });

  it('delivers begin, data and end split at every byte, then disables', () => {
    const stream = new Bytes()
      .raw(BEGIN)
      .raw(data([1, 0, 2, 0, 3, 0, 4, 0]))
      .raw(END)
      .build();
    for (let at = 1; at < stream.length; at++) {
      const h = new ExtensionsHarness().receive(ACK);
      h.session.setAudio(true);
      h.events.length = 0;
      h.receiveSplit(stream, at);
      expect(h.events).toEqual([
        { kind: 'audio-state', playing: true },
        { kind: 'audio-data', samples: Uint8Array.of(1, 0, 2, 0, 3, 0, 4, 0) },
        { kind: 'audio-state', playing: false },
      ]);
    }
    const h = new ExtensionsHarness().receive(ACK);
    h.session.setAudio(true);
    h.takeSent();
    h.session.setAudio(false);
    expect(h.takeSent().map((m) => Array.from(m))).toEqual([[255, 1, 0, 1]]);
    h.receive(data([1, 2, 3, 4]));
    expect(h.events.some((e) => e.kind === 'audio-data')).toBe(false);
  });

  it('ends the session on an oversized block or an unknown submessage, with the reason', () => {
    const h = new ExtensionsHarness();
    h.receive(
      new Bytes()
        .u8(255, 1, 0, 2)
        .u32(MAX_AUDIO_BLOCK + 1)
        .build(),
    );
    expect(h.error?.detail).toMatch(/audio block of 1048577 bytes/);
    const g = new ExtensionsHarness();
    g.receive(Uint8Array.of(255, 9, 0, 0));
    expect(g.error?.detail).toMatch(/QEMU submessage 9/);
  });
});
