import { describe, expect, it } from 'vitest';
import { AutoSelect } from '../../../main/rfb/auto-select.ts';

/** Feeds `count` updates of `bytes` arriving at `kbps`, one every 100 ms from `start`. */
function feed(auto: AutoSelect, kbps: number, count: number, start: number, bytes = 200_000): number {
  let now = start;
  for (let i = 0; i < count; i++) {
    auto.observeUpdate(bytes, (bytes * 8) / kbps);
    now += 100;
  }
  return now;
}

describe('AutoSelect', () => {
  it('stays lossless on a LAN', () => {
    const auto = new AutoSelect(0);
    const now = feed(auto, 400_000, 20, 0);
    expect(auto.decide(now + 5000)).toBeUndefined();
    expect(auto.choice).toEqual({ preset: 'high', colourLevel: 'full' });
  });

  it('moves to medium, low and 8-bit colour as the link slows, and back', () => {
    const auto = new AutoSelect(0);
    let now = feed(auto, 5_000, 10, 0);
    expect(auto.decide(now + 3000)).toMatchObject({ preset: 'medium', colourLevel: 'full' });
    now = feed(auto, 800, 20, now + 3000);
    expect(auto.throughputKbps).toBeGreaterThan(790);
    expect(auto.throughputKbps).toBeLessThan(900);
    expect(auto.decide(now + 3000)).toMatchObject({ preset: 'low', colourLevel: 'full' });
    now = feed(auto, 100, 20, now + 3000);
    const slow = auto.decide(now + 3000);
    expect(slow).toMatchObject({ preset: 'low', colourLevel: 'rgb332' });
    expect(slow?.reason).toMatch(/kbit\/s → 8-bit colour, lossless/);
    now = feed(auto, 100_000, 20, now + 3000);
    expect(auto.decide(now + 3000)).toMatchObject({ preset: 'high', colourLevel: 'full' });
  });

  it('waits for enough samples and time between changes', () => {
    const auto = new AutoSelect(0);
    feed(auto, 500, 3, 0);
    expect(auto.decide(10_000)).toBeUndefined();
    feed(auto, 500, 1, 0);
    expect(auto.decide(1000)).toBeUndefined();
    expect(auto.decide(3000)?.preset).toBe('low');
    feed(auto, 100_000, 30, 3000);
    expect(auto.decide(4000)).toBeUndefined();
    expect(auto.decide(6000)?.preset).toBe('high');
  });

  it('ignores updates that arrived in one piece, which say nothing about the link', () => {
    const auto = new AutoSelect(0);
    for (let i = 0; i < 50; i++) {
      auto.observeUpdate(1000, 1);
      auto.observeUpdate(10_000, 0.5);
    }
    expect(auto.throughputKbps).toBe(0);
    expect(auto.decide(60_000)).toBeUndefined();
  });

  it('counts a large update that arrived at once as a lower bound, so a fast link is recognised', () => {
    const auto = new AutoSelect(0, { preset: 'low', colourLevel: 'rgb332' });
    for (let i = 0; i < 5; i++) auto.observeUpdate(40_000, 0.3);
    expect(auto.throughputKbps).toBe(64_000);
    expect(auto.decide(5000)).toMatchObject({ preset: 'high', colourLevel: 'full' });
  });

  it('weighs updates by size: a few slow small ones do not outweigh large fast ones', () => {
    const auto = new AutoSelect(0);
    for (let i = 0; i < 10; i++) {
      auto.observeUpdate(2_000_000, 200); // 80 Mbit/s
      auto.observeUpdate(2_000, 6); // 2.7 Mbit/s
    }
    expect(auto.throughputKbps).toBeGreaterThan(40_000);
    expect(auto.decide(5000)).toBeUndefined();
  });

  it('a server slow to encode does not hide a fast link: a recent large update that arrived fast bounds it', () => {
    const auto = new AutoSelect(0);
    for (let i = 0; i < 10; i++) {
      auto.observeUpdate(3_000, 10); // 2.4 Mbit/s: small updates the server took its time over
      auto.observeUpdate(200_000, 400); // 4 Mbit/s: a large one stretched by encoding
    }
    auto.observeUpdate(100_000, 20); // 40 Mbit/s: the link is at least this fast
    expect(auto.throughputKbps).toBe(40_000);
    expect(auto.decide(5000)).toBeUndefined();
    // Once eight slower large updates have followed, the bound is theirs again.
    for (let i = 0; i < 8; i++) auto.observeUpdate(200_000, 400);
    expect(auto.decide(10_000)).toMatchObject({ preset: 'medium' });
  });

  it('keeps 8-bit colour between the two colour thresholds (hysteresis)', () => {
    const auto = new AutoSelect(0, { preset: 'low', colourLevel: 'rgb332' });
    const now = feed(auto, 600, 20, 0);
    expect(auto.decide(now + 3000)).toBeUndefined();
    expect(auto.choice.colourLevel).toBe('rgb332');
  });

  it('needs twice the lossless throughput when the round trip is long', () => {
    const auto = new AutoSelect(0);
    auto.observeRoundTrip(200);
    const now = feed(auto, 15_000, 20, 0);
    const decision = auto.decide(now + 3000);
    expect(decision).toMatchObject({ preset: 'medium' });
    expect(decision?.reason).toContain('round trip 200 ms');
  });
});
