/**
 * Remote audio between the session and the viewer: one ArrayBuffer per block, so it travels
 * binary in both transports (structured clone over a MessagePort, a frame of browser mode's
 * session stream).
 *
 *   u32 magic 'PHA1' (little-endian) · samples: S16 little-endian, stereo interleaved, 44100 Hz
 */
export const AUDIO_MAGIC = 0x31414850; // 'PHA1' little-endian
export const AUDIO_RATE = 44100;
export const AUDIO_CHANNELS = 2;

export function encodeAudioChunk(samples: Uint8Array): ArrayBuffer {
  const whole = samples.length & ~3; // whole stereo frames only
  const buffer = new ArrayBuffer(4 + whole);
  new DataView(buffer).setUint32(0, AUDIO_MAGIC, true);
  new Uint8Array(buffer, 4).set(samples.subarray(0, whole));
  return buffer;
}

/** Whether a buffer carries the audio magic (a check on what arrived, not a way to route it). */
export function isAudioChunk(buffer: ArrayBuffer): boolean {
  return buffer.byteLength >= 4 && new DataView(buffer).getUint32(0, true) === AUDIO_MAGIC;
}

/** The interleaved S16 samples of a chunk (a view, no copy). */
export function audioSamples(buffer: ArrayBuffer): Int16Array {
  return new Int16Array(buffer, 4, ((buffer.byteLength - 4) >> 2) * 2);
}
