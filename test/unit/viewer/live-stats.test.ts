import { describe, expect, it } from 'vitest';
import {
  nextStats,
  STATS_HISTORY_SECONDS,
  type StatsReading,
} from '../../../renderer/src/session/live-stats.ts';

const reading = (
  at: number,
  bytes: number,
  updates: number,
  pixels: Record<string, number>,
  painted: number,
) =>
  ({
    counters: { at, bytes, updates, pixels, decodeMs: updates * 2, roundTripMs: 12 },
    painted,
    paintMs: painted * 0.5,
  }) satisfies StatsReading;

describe('the statistics overlay figures', () => {
  it('turns two readings of the counters into rates, shares and times per update', () => {
    const first = nextStats(undefined, reading(0, 0, 0, {}, 0));
    expect(first.history.kbitPerSecond).toEqual([]);
    const second = nextStats(first, reading(2000, 250_000, 40, { ZRLE: 300_000, CopyRect: 100_000 }, 30));
    expect(second.kbitPerSecond).toBe(1000);
    expect(second.updatesPerSecond).toBe(20);
    expect(second.framesPerSecond).toBe(15);
    expect(second.encodings).toEqual([
      { name: 'ZRLE', share: 0.75 },
      { name: 'CopyRect', share: 0.25 },
    ]);
    expect(second.decodeMsPerUpdate).toBe(2);
    expect(second.paintMsPerUpdate).toBe(0.5);
    expect(second).toMatchObject({ totalBytes: 250_000, totalUpdates: 40, roundTripMs: 12 });
    // The shares are of the interval's pixels; with none new, of everything received.
    const third = nextStats(second, reading(3000, 250_000, 40, { ZRLE: 300_000, CopyRect: 500_000 }, 30));
    expect(third.encodings).toEqual([{ name: 'CopyRect', share: 1 }]);
    expect(third.framesPerSecond).toBe(0);
    expect(third.decodeMsPerUpdate).toBeUndefined();
    const idle = nextStats(third, reading(4000, 250_000, 40, { ZRLE: 300_000, CopyRect: 500_000 }, 30));
    expect(idle.encodings).toEqual([
      { name: 'CopyRect', share: 0.625 },
      { name: 'ZRLE', share: 0.375 },
    ]);
  });

  it('keeps one minute of history', () => {
    let stats = nextStats(undefined, reading(0, 0, 0, {}, 0));
    for (let s = 1; s <= 90; s++) stats = nextStats(stats, reading(s * 1000, s * 1000, s, {}, s));
    expect(stats.history.kbitPerSecond).toHaveLength(STATS_HISTORY_SECONDS);
    expect(stats.history.framesPerSecond.every((fps) => fps === 1)).toBe(true);
  });
});
