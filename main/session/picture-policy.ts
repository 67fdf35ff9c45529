import type { ColourLevel } from '../../shared/colour-level.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import type { FromSession, PictureInEffect } from '../../shared/session-protocol.ts';
import { type AutoChoice, AutoSelect } from '../rfb/auto-select.ts';
import { qualityEncodings, SAFE_MODE_ENCODINGS } from '../rfb/quality.ts';

/** What the server must be told after a picture decision: encodings always, a colour level only when it moved. */
export interface PictureChange {
  encodings: number[];
  colourLevel: ColourLevel | undefined;
}

/**
 * What picture the session asks for: the user's quality and colour level, Auto's choice from
 * its measurements, a bookmark's encoding order, safe mode after a stream the viewer could not
 * parse, and full colour after a server that dropped the viewer for its colour level. No
 * network here: the host applies what it returns.
 */
export class PicturePolicy {
  private quality: PictureQuality;
  private colourLevel: ColourLevel;
  /** The request's own encoding order (a bookmark's override), in place of the quality's. */
  private readonly encodingOverride: number[] | undefined;
  /** Safe mode: the reason it was entered (the error), or undefined when off. */
  private safeModeReason: string | undefined;
  private safeModeTried = false;
  /** Auto: the estimator of this connection and what it chose (kept across reconnects). */
  private auto: AutoSelect | undefined;
  private autoChoice: AutoChoice = { preset: 'high', colourLevel: 'full' };
  private autoReason: string | undefined;
  /** The server dropped the viewer right after a colour level it asked for: full colour now (once). */
  private colourFallbackReason: string | undefined;

  constructor(initial: { quality: PictureQuality; colourLevel: ColourLevel; encodingOverride?: number[] }) {
    this.quality = initial.quality;
    this.colourLevel = initial.colourLevel;
    this.encodingOverride = initial.encodingOverride;
  }

  /** The encodings to ask for: safe mode's, the bookmark's, or the quality's (Auto: the preset it chose). */
  encodings(): number[] {
    if (this.safeModeReason) return [...SAFE_MODE_ENCODINGS];
    if (this.encodingOverride) return [...this.encodingOverride];
    return qualityEncodings(this.quality === 'auto' ? this.autoChoice.preset : this.quality);
  }

  /** The user's colour level, lowered to 8-bit by Auto on a very slow link (never raised). */
  colourLevelInEffect(): ColourLevel {
    if (this.safeModeReason) return 'full';
    if (this.quality === 'auto' && this.colourLevel === 'full') return this.autoChoice.colourLevel;
    return this.colourLevel;
  }

  get inSafeMode(): boolean {
    return this.safeModeReason !== undefined;
  }

  /** For the status line: why safe mode is on. */
  get safeMode(): string | undefined {
    return this.safeModeReason;
  }

  /** For the status line: why the colour level went back to full by itself. */
  get colourFallback(): string | undefined {
    return this.colourFallbackReason;
  }

  /** A new connection starts: Auto measures it afresh, from the choice it had. */
  connectionStarted(now: number): void {
    this.auto = new AutoSelect(now, this.autoChoice);
  }

  /** Auto's estimate of the link's throughput (kbit/s), once it has one. */
  get autoEstimateKbps(): number | undefined {
    const kbps = this.auto?.throughputKbps;
    return kbps ? Math.round(kbps) : undefined;
  }

  observeRoundTrip(ms: number): void {
    this.auto?.observeRoundTrip(ms);
  }

  /** The user chose a quality: Auto's old reason and safe mode end. */
  setQuality(quality: PictureQuality): PictureChange {
    const levelBefore = this.colourLevelInEffect();
    this.quality = quality;
    this.autoReason = undefined;
    this.safeModeReason = undefined;
    return this.change(levelBefore);
  }

  /** The user chose a colour level: it ends safe mode and a fallback. Returns the encodings when safe mode ended. */
  setColourLevel(level: ColourLevel): { colourLevel: ColourLevel; encodings: number[] | undefined } {
    this.colourLevel = level;
    this.colourFallbackReason = undefined;
    const leftSafeMode = this.safeModeReason !== undefined;
    this.safeModeReason = undefined;
    return {
      colourLevel: this.colourLevelInEffect(),
      encodings: leftSafeMode ? this.encodings() : undefined,
    };
  }

  /** Asked for by the user with Reconnect in safe mode. */
  requestSafeMode(): void {
    this.safeModeReason ??= 'asked for by the user';
  }

  /**
   * A stream the viewer could not parse: safe mode once, by itself, if the request allows it.
   * False when it was tried already (or is on): the error stands.
   */
  enterSafeModeAfter(reason: string, allowed: boolean): boolean {
    if (this.safeModeReason || this.safeModeTried || !allowed) return false;
    this.safeModeTried = true;
    this.safeModeReason = reason;
    return true;
  }

  /**
   * The server dropped the viewer right after it asked for `refusedLevel` (neatvnc does for a
   * colour map): once, and not in safe mode, go back to full colour. False when that does not apply.
   */
  fallBackToFullColour(refusedLevel: ColourLevel | undefined, message: string): boolean {
    if (!refusedLevel || refusedLevel === 'full' || this.colourFallbackReason || this.safeModeReason)
      return false;
    this.colourFallbackReason = `Full colour: ${message}`;
    this.colourLevel = 'full';
    this.autoChoice = { ...this.autoChoice, colourLevel: 'full' };
    return true;
  }

  /** Auto: one more update measured; a change when the estimate says to switch presets. */
  updateMeasured(bytes: number, ms: number | undefined, now: number): PictureChange | undefined {
    if (this.auto && ms !== undefined) this.auto.observeUpdate(bytes, ms);
    if (this.quality !== 'auto' || this.safeModeReason || !this.auto) return undefined;
    const decision = this.auto.decide(now);
    if (!decision) return undefined;
    const levelBefore = this.colourLevelInEffect();
    this.autoChoice = { preset: decision.preset, colourLevel: decision.colourLevel };
    this.autoReason = decision.reason;
    return this.change(levelBefore);
  }

  /** The viewer's `settings` message: what the user chose and what is in effect. */
  settings(viewOnly: boolean): Extract<FromSession, { type: 'settings' }> {
    return {
      type: 'settings',
      quality: this.quality,
      colourLevel: this.safeModeReason ? 'full' : this.colourLevel,
      viewOnly,
      ...(this.autoReason && this.quality === 'auto' && { auto: this.autoReason }),
      inEffect: { preset: this.presetInEffect(), colourLevel: this.colourLevelInEffect() },
    };
  }

  /** Safe mode's encodings are lossless (High); otherwise the user's preset or Auto's choice. */
  private presetInEffect(): PictureInEffect['preset'] {
    if (this.safeModeReason) return 'high';
    return this.quality === 'auto' ? this.autoChoice.preset : this.quality;
  }

  private change(levelBefore: ColourLevel): PictureChange {
    const level = this.colourLevelInEffect();
    return { encodings: this.encodings(), colourLevel: level !== levelBefore ? level : undefined };
  }
}
