import { afterAll, describe, expect, it } from 'vitest';
import { HOSTILE_INPUTS } from './hostile-inputs.ts';
import { FuzzWorker } from './worker-pool.ts';

/*
 * Inputs that claim giant sizes. Each must end with a protocol error or complete, without the
 * receive queue or the pixel arena passing its bound and without the process's ArrayBuffer
 * memory passing MEMORY_BOUND (sampled while the input is fed; there is no gc() to call, so garbage
 * from earlier inputs may count too, which the bound allows for).
 */

const MiB = 1 << 20;
const MEMORY_BOUND = 1024 * MiB;
/** Some inputs take a while to build (a 64 MiB zip bomb) or to decode (six 32 MiB rectangles). */
const HANG_MS = 10_000;

const worker = new FuzzWorker();
afterAll(() => worker.stop());

describe('hostile inputs end cleanly within memory bounds', () => {
  for (const { name, expect: want } of HOSTILE_INPUTS) {
    it(name, async () => {
      const outcome = await worker.run({ kind: 'hostile', name }, HANG_MS);
      expect(outcome.problems).toEqual([]);
      if (want.error) {
        expect(outcome.error?.kind).toBe('protocol');
        expect(outcome.error?.message).toMatch(want.error);
      } else {
        expect(outcome.error).toBeUndefined();
      }
      expect(outcome.queueBytes).toBeLessThanOrEqual(want.maxQueueBytes);
      expect(outcome.arenaBytes).toBeLessThanOrEqual(want.maxArenaBytes);
      expect(outcome.arrayBuffersPeak).toBeLessThan(MEMORY_BOUND);
      for (const [kind, count] of Object.entries(want.ops ?? {}))
        expect(outcome.ops[kind] ?? 0, kind).toBe(count);
    });
  }
});
