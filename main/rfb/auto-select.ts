/**
 * Picture quality "Auto": chooses a preset (and, on very slow links, a low colour level) from
 * the throughput and latency it measures, the way TigerVNC's AutoSelect does — lossless on a
 * LAN, JPEG as the link gets slower, 8-bit colour below 256 kbit/s — with hysteresis so a
 * burst does not flip the picture back and forth.
 *
 * It only decides. Applying a decision goes through `RfbSession.setEncodings` and
 * `setColourLevel`, which change the pixel format only when no update is in flight.
 */

export type AutoPreset = 'high' | 'medium' | 'low';
export type AutoColourLevel = 'full' | 'rgb332';

export interface AutoChoice {
  preset: AutoPreset;
  colourLevel: AutoColourLevel;
}

export interface AutoDecision extends AutoChoice {
  /** Throughput estimate in kbit/s and round-trip time in ms that led to it. */
  kbps: number;
  rttMs: number | undefined;
  /** One line for the status: what was measured and what was chosen. */
  reason: string;
}

/**
 * Thresholds in kbit/s. TigerVNC picks JPEG quality 8 above 16 Mbit/s and palette colour below
 * 256 kbit/s; our High is truly lossless (ZRLE, which compresses desktops well), so it holds
 * down to 10 Mbit/s.
 *
 * The estimate is bytes over the time an update took to arrive, as TigerVNC's is — but a
 * server slow to encode (a busy machine) stretches that time without the link being slow. No
 * update can arrive faster than the link carries it, though, so the fastest of the recent
 * large updates bounds the link from below: the estimate is the larger of the average and
 * that bound.
 */
export const AUTO_THRESHOLDS = {
  /** At or above: lossless. */
  lossless: 10_000,
  /** At or above (and below lossless): medium JPEG; below: low JPEG. */
  medium: 1_500,
  /** Below: 8-bit colour as well. */
  lowColour: 256,
  /** Back to full colour only above this (hysteresis). */
  fullColour: 1_000,
} as const;

/**
 * An update that arrived within this time came in one piece and says nothing about the
 * link's speed (only that it is faster than the server wrote).
 */
const MIN_SAMPLE_MS = 5;
/** An update at least this large that arrived at once shows the link is at least that fast. */
const MIN_BOUND_BYTES = 16 * 1024;
/** How many recent large updates the lower bound looks back over. */
const PEAK_WINDOW = 8;
/** How much of the past estimate each new update keeps. */
const DECAY = 0.75;
/** Samples needed, and the time that must pass, before the first and between decisions. */
const MIN_SAMPLES = 4;
const MIN_INTERVAL_MS = 3000;
/** A round trip this long makes lossless pointless below twice the lossless threshold. */
const HIGH_LATENCY_MS = 150;

export class AutoSelect {
  /** Decayed sums of bits received and milliseconds spent receiving them. */
  private bits = 0;
  private ms = 0;
  private samples = 0;
  /** The speeds (kbit/s) of the last PEAK_WINDOW updates of at least MIN_BOUND_BYTES. */
  private readonly recentLarge: number[] = [];
  private rttMs: number | undefined;
  private current: AutoChoice;
  private lastChangeMs: number;

  constructor(now: number, initial: AutoChoice = { preset: 'high', colourLevel: 'full' }) {
    this.current = { ...initial };
    this.lastChangeMs = now;
  }

  get choice(): AutoChoice {
    return { ...this.current };
  }

  get throughputKbps(): number {
    return Math.round(this.estimateKbps);
  }

  private get estimateKbps(): number {
    const average = this.ms > 0 ? this.bits / this.ms : 0;
    return Math.max(average, ...this.recentLarge);
  }

  /** A round-trip time measured outside updates (the TCP connect, the handshake, a Fence). */
  observeRoundTrip(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.rttMs = this.rttMs === undefined ? ms : (this.rttMs * 3 + ms) / 4;
  }

  /** One FramebufferUpdate: its size and the time from its first byte to its last. */
  observeUpdate(bytes: number, receiveMs: number): void {
    if (!(bytes > 0) || !(receiveMs >= 0)) return;
    if (receiveMs < MIN_SAMPLE_MS) {
      // Arrived in one piece: a large update still bounds the speed from below; a small one
      // says nothing (its time is the server's, not the link's).
      if (bytes < MIN_BOUND_BYTES) return;
      receiveMs = MIN_SAMPLE_MS;
    }
    // Sums weighted by size, so one large update counts for more than many small ones, and
    // decayed, so the estimate follows a change within a few updates.
    this.bits = this.bits * DECAY + bytes * 8;
    this.ms = this.ms * DECAY + receiveMs;
    this.samples++;
    if (bytes >= MIN_BOUND_BYTES) {
      this.recentLarge.push((bytes * 8) / receiveMs);
      if (this.recentLarge.length > PEAK_WINDOW) this.recentLarge.shift();
    }
  }

  /** What to switch to now, or undefined to stay. */
  decide(now: number): AutoDecision | undefined {
    if (this.samples < MIN_SAMPLES || now - this.lastChangeMs < MIN_INTERVAL_MS) return undefined;
    const kbps = this.estimateKbps;
    const next = this.target(kbps);
    if (next.preset === this.current.preset && next.colourLevel === this.current.colourLevel)
      return undefined;
    this.current = next;
    this.lastChangeMs = now;
    const rtt = this.rttMs === undefined ? '' : `, round trip ${Math.round(this.rttMs)} ms`;
    return {
      ...next,
      kbps: Math.round(kbps),
      rttMs: this.rttMs,
      reason: `Auto: ${formatRate(kbps)}${rtt} → ${describe(next)}`,
    };
  }

  private target(kbps: number): AutoChoice {
    const t = AUTO_THRESHOLDS;
    const slowAndFar = this.rttMs !== undefined && this.rttMs >= HIGH_LATENCY_MS;
    const losslessAt = slowAndFar ? t.lossless * 2 : t.lossless;
    let preset: AutoPreset;
    if (kbps >= losslessAt) preset = 'high';
    else if (kbps >= t.medium) preset = 'medium';
    else preset = 'low';
    let colourLevel = this.current.colourLevel;
    if (kbps < t.lowColour) colourLevel = 'rgb332';
    else if (kbps > t.fullColour) colourLevel = 'full';
    return { preset, colourLevel };
  }
}

function formatRate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

function describe(choice: AutoChoice): string {
  // JPEG needs at least 16 bits per pixel: at 8-bit colour Tight and ZRLE stay lossless.
  if (choice.colourLevel === 'rgb332') return '8-bit colour, lossless';
  return { high: 'lossless', medium: 'medium JPEG', low: 'low JPEG' }[choice.preset];
}
