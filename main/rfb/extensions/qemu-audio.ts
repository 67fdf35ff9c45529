/**
 * QEMU Audio (rfbproto "QEMU Audio Pseudo-encoding" -259; "QEMU Audio Client Message" and
 * "QEMU Audio Server Message"). The server acknowledges the pseudo-encoding with an empty
 * pseudo-rectangle; the viewer then sets a sample format and enables the stream, and the
 * server sends begin, data (U32 length + samples) and end messages, all as message 255,
 * submessage 1, followed by a U16 operation.
 */
export const QEMU_AUDIO_ENCODING = -259;
export const QEMU_MESSAGE = 255;
export const QEMU_AUDIO_SUBMESSAGE = 1;

export const AudioClientOp = { Enable: 0, Disable: 1, SetFormat: 2 } as const;
export const AudioServerOp = { End: 0, Begin: 1, Data: 2 } as const;

/** Sample formats of SetFormat: u8, s8, u16, s16, u32, s32. */
export const AudioSampleFormat = { U8: 0, S8: 1, U16: 2, S16: 3, U32: 4, S32: 5 } as const;

export interface AudioFormat {
  sampleFormat: number;
  channels: number;
  frequency: number;
}

/** What the viewer asks for: signed 16-bit stereo at 44100 Hz (little-endian, QEMU's host order on x86). */
export const VIEWER_AUDIO_FORMAT: AudioFormat = {
  sampleFormat: AudioSampleFormat.S16,
  channels: 2,
  frequency: 44100,
};

function header(op: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out[0] = QEMU_MESSAGE;
  out[1] = QEMU_AUDIO_SUBMESSAGE;
  out[2] = op >> 8;
  out[3] = op & 0xff;
  return out;
}

export function buildAudioEnable(): Uint8Array {
  return header(AudioClientOp.Enable, 4);
}

export function buildAudioDisable(): Uint8Array {
  return header(AudioClientOp.Disable, 4);
}

export function buildAudioSetFormat(format: AudioFormat): Uint8Array {
  const out = header(AudioClientOp.SetFormat, 10);
  out[4] = format.sampleFormat;
  out[5] = format.channels;
  new DataView(out.buffer).setUint32(6, format.frequency);
  return out;
}

export type AudioServerMessage =
  | { kind: 'begin' }
  | { kind: 'end' }
  | { kind: 'data'; samples: Uint8Array }
  | { kind: 'need'; bytes: number };

/**
 * Parses one server audio message at `bytes[0]` (type 255, submessage 1). Returns
 * `{kind:'need', bytes}` while the message is incomplete; `length` is what it consumed
 * otherwise. Data longer than `maxData` is a protocol violation the caller reports. A data
 * message's samples are a view into `bytes`, not a copy.
 */
export function parseAudioServerMessage(
  bytes: Uint8Array,
  maxData: number,
): { message: AudioServerMessage; length: number } {
  if (bytes.length < 4) return { message: { kind: 'need', bytes: 4 }, length: 0 };
  const op = (bytes[2] << 8) | bytes[3];
  switch (op) {
    case AudioServerOp.Begin:
      return { message: { kind: 'begin' }, length: 4 };
    case AudioServerOp.End:
      return { message: { kind: 'end' }, length: 4 };
    case AudioServerOp.Data: {
      if (bytes.length < 8) return { message: { kind: 'need', bytes: 8 }, length: 0 };
      const size = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
      if (size > maxData) {
        throw new AudioError(
          `the server sent an audio block of ${size} bytes, more than the ${maxData} allowed`,
        );
      }
      if (bytes.length < 8 + size) return { message: { kind: 'need', bytes: 8 + size }, length: 0 };
      return { message: { kind: 'data', samples: bytes.subarray(8, 8 + size) }, length: 8 + size };
    }
    default:
      throw new AudioError(`the server sent QEMU audio operation ${op}, which does not exist`);
  }
}

export class AudioError extends Error {}
