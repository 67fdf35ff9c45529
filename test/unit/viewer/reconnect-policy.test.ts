import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectPolicy } from '../../../main/session/reconnect-policy.ts';

const dropped = { kind: 'network', wasConnected: true, reverse: false, reconnectAllowed: true } as const;

describe('the reconnect policy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries network failures and time-outs of a connection that had worked, unless told not to', () => {
    const policy = new ReconnectPolicy();
    expect(policy.shouldRetry(dropped)).toBe(true);
    expect(policy.shouldRetry({ ...dropped, kind: 'timeout' })).toBe(true);
    expect(policy.shouldRetry({ ...dropped, kind: 'auth' })).toBe(false);
    expect(policy.shouldRetry({ ...dropped, kind: 'protocol' })).toBe(false);
    expect(policy.shouldRetry({ ...dropped, wasConnected: false })).toBe(false);
    expect(policy.shouldRetry({ ...dropped, reverse: true })).toBe(false);
    expect(policy.shouldRetry({ ...dropped, reconnectAllowed: false })).toBe(false);
    // Once retrying, a refused attempt (never connected) goes on.
    policy.schedule(
      undefined,
      () => undefined,
      () => undefined,
    );
    expect(policy.shouldRetry({ ...dropped, wasConnected: false })).toBe(true);
  });

  it('counts down each delay in seconds, the last repeating, and attempts when it runs out', () => {
    const policy = new ReconnectPolicy([2, 3]);
    const ticks: [number, number][] = [];
    let attempts = 0;
    const tick = (seconds: number, attempt: number) => ticks.push([seconds, attempt]);
    policy.schedule(undefined, tick, () => attempts++);
    vi.advanceTimersByTime(2000);
    expect(ticks).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(attempts).toBe(1);
    for (const attempt of [2, 3]) {
      ticks.length = 0;
      policy.schedule(undefined, tick, () => attempts++);
      vi.advanceTimersByTime(3000);
      expect(ticks.map(([s]) => s)).toEqual([3, 2, 1]);
      expect(ticks[0][1]).toBe(attempt);
    }
    expect(attempts).toBe(3);
    // A working connection starts again from the first delay.
    policy.connected();
    ticks.length = 0;
    policy.schedule(undefined, tick, () => attempts++);
    expect(ticks[0]).toEqual([2, 1]);
  });

  it("gives up after the request's limit (0: never), else the host's", () => {
    const host = new ReconnectPolicy([0], 2);
    const none = () => undefined;
    expect(host.schedule(undefined, none, none)).toBeUndefined();
    expect(host.schedule(undefined, none, none)).toBeUndefined();
    expect(host.schedule(undefined, none, none)).toEqual({ gaveUpAfter: 2 });
    expect(host.attempt).toBe(0);
    expect(host.schedule(1, none, none)).toBeUndefined();
    expect(host.schedule(1, none, none)).toEqual({ gaveUpAfter: 1 });
    for (let i = 0; i < 50; i++) expect(host.schedule(0, none, none)).toBeUndefined();
  });

  it('a cancelled attempt never happens', () => {
    const policy = new ReconnectPolicy([1]);
    let attempts = 0;
    policy.schedule(
      undefined,
      () => undefined,
      () => attempts++,
    );
    policy.cancel();
    vi.advanceTimersByTime(5000);
    expect(attempts).toBe(0);
    policy.reset();
    expect(policy.attempt).toBe(0);
  });
});
