import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioPlayer, MAX_QUEUED_SECONDS } from '../../../renderer/src/session/audio-player.ts';
import { encodeAudioChunk } from '../../../shared/audio-wire.ts';

/** Just enough of Web Audio to see what is scheduled when; the clock is the test's. */
class FakeAudioContext {
  static last: FakeAudioContext;
  currentTime = 0;
  readonly started: { at: number; frames: number; left: Float32Array }[] = [];
  readonly destination = {};
  constructor(readonly options: AudioContextOptions) {
    FakeAudioContext.last = this;
  }
  createBuffer(channels: number, frames: number) {
    const data = Array.from({ length: channels }, () => new Float32Array(frames));
    return { length: frames, getChannelData: (c: number) => data[c] };
  }
  createBufferSource() {
    const source = {
      buffer: undefined as unknown as { length: number; getChannelData(c: number): Float32Array },
      connect: () => undefined,
      start: (at: number) =>
        this.started.push({ at, frames: source.buffer.length, left: source.buffer.getChannelData(0) }),
    };
    return source;
  }
  close() {
    return Promise.resolve();
  }
}

const block = (frames: number) => {
  const bytes = new Uint8Array(frames * 4);
  new DataView(bytes.buffer).setInt16(0, -16384, true);
  return encodeAudioChunk(bytes);
};

describe('the viewer’s audio player', () => {
  beforeEach(() => {
    (globalThis as { AudioContext?: unknown }).AudioContext = FakeAudioContext;
  });
  afterEach(() => {
    delete (globalThis as { AudioContext?: unknown }).AudioContext;
  });

  it('asks for 44100 Hz and schedules blocks back to back, samples scaled to [-1, 1)', () => {
    const player = new AudioPlayer();
    const ctx = FakeAudioContext.last;
    expect(ctx.options.sampleRate).toBe(44100);
    player.play(block(441));
    player.play(block(441));
    expect(ctx.started).toHaveLength(2);
    expect(ctx.started[1].at - ctx.started[0].at).toBeCloseTo(0.01, 6);
    expect(ctx.started[0].left[0]).toBe(-0.5);
  });

  it('drops blocks when more than the bound is queued, and never queues more', () => {
    const player = new AudioPlayer();
    const ctx = FakeAudioContext.last;
    // 2 s of audio arriving at once, while the clock stands still.
    for (let i = 0; i < 200; i++) player.play(block(441));
    const queued = ctx.started.at(-1)!.at + 0.01 - ctx.currentTime;
    expect(queued).toBeLessThanOrEqual(MAX_QUEUED_SECONDS + 0.1);
    expect(player.dropped).toBeGreaterThan(100);
    // Once the clock catches up, blocks play again, starting from now.
    ctx.currentTime = 10;
    player.play(block(441));
    expect(ctx.started.at(-1)!.at).toBeGreaterThanOrEqual(10);
  });
});
