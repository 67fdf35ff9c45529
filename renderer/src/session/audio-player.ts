import { AUDIO_CHANNELS, AUDIO_RATE, audioSamples } from '../../../shared/audio-wire.ts';

/** How far ahead of the clock audio may be queued; a block that would go further is dropped. */
export const MAX_QUEUED_SECONDS = 0.5;
/** Delay before the first block plays (absorbs jitter in the blocks' arrival). */
const START_DELAY = 0.08;

/**
 * Plays the server's audio blocks (S16 stereo 44100 Hz) with Web Audio, each scheduled right
 * after the previous. The queue is bounded: when the viewer is behind (more than
 * MAX_QUEUED_SECONDS queued) new blocks are dropped, so memory and latency never grow.
 */
export class AudioPlayer {
  private readonly context: AudioContext;
  /** When the next block starts, in the context's time. */
  private nextStart = 0;
  played = 0;
  dropped = 0;

  constructor() {
    // Created from a click (the "Play remote audio" button), so the autoplay policy allows it.
    this.context = new AudioContext({ sampleRate: AUDIO_RATE, latencyHint: 'interactive' });
  }

  play(chunk: ArrayBuffer): void {
    const samples = audioSamples(chunk);
    const frames = samples.length / AUDIO_CHANNELS;
    if (frames === 0) return;
    const now = this.context.currentTime;
    if (this.nextStart < now) this.nextStart = now + START_DELAY;
    if (this.nextStart - now > MAX_QUEUED_SECONDS) {
      this.dropped++;
      return;
    }
    const buffer = this.context.createBuffer(AUDIO_CHANNELS, frames, AUDIO_RATE);
    for (let channel = 0; channel < AUDIO_CHANNELS; channel++) {
      const out = buffer.getChannelData(channel);
      for (let i = 0; i < frames; i++) out[i] = samples[i * AUDIO_CHANNELS + channel] / 32768;
    }
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    source.start(this.nextStart);
    this.nextStart += frames / AUDIO_RATE;
    this.played++;
  }

  close(): void {
    void this.context.close().catch(() => undefined);
  }
}
