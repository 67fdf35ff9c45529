import { describe, expect, it } from 'vitest';
import { qualityEncodings, SAFE_MODE_ENCODINGS } from '../../../main/rfb/quality.ts';
import { PicturePolicy } from '../../../main/session/picture-policy.ts';

/** Updates of 200 kB at `kbps`, one every 100 ms from `start`, then one 3 s later; what changed, and when. */
function feed(policy: PicturePolicy, kbps: number, count: number, start: number) {
  let change: ReturnType<PicturePolicy['updateMeasured']>;
  for (let i = 0; i < count; i++)
    change = policy.updateMeasured(200_000, (200_000 * 8) / kbps, start + i * 100) ?? change;
  const now = start + count * 100 + 3000;
  change = policy.updateMeasured(200_000, (200_000 * 8) / kbps, now) ?? change;
  return { now, change };
}

describe('the picture policy', () => {
  it("asks for the quality's encodings, or a bookmark's own order", () => {
    expect(new PicturePolicy({ quality: 'low', colourLevel: 'full' }).encodings()).toEqual(
      qualityEncodings('low'),
    );
    const own = new PicturePolicy({ quality: 'low', colourLevel: 'rgb565', encodingOverride: [16, 5] });
    expect(own.encodings()).toEqual([16, 5]);
    expect(own.colourLevelInEffect()).toBe('rgb565');
  });

  it('Auto follows a slowing link: a change with the new encodings, and the colour level only when it moves', () => {
    const policy = new PicturePolicy({ quality: 'auto', colourLevel: 'full' });
    policy.connectionStarted(0);
    const medium = feed(policy, 5_000, 10, 0);
    expect(medium.change).toEqual({ encodings: qualityEncodings('medium'), colourLevel: undefined });
    const slow = feed(policy, 100, 40, medium.now);
    expect(slow.change?.colourLevel).toBe('rgb332');
    expect(policy.settings(false)).toMatchObject({
      quality: 'auto',
      colourLevel: 'full',
      auto: expect.stringMatching(/8-bit colour/),
      inEffect: { colourLevel: 'rgb332' },
    });
    // A quality chosen by hand: Auto's reason goes, and the level comes back.
    expect(policy.setQuality('high')).toEqual({ encodings: qualityEncodings('high'), colourLevel: 'full' });
    expect(policy.settings(true)).toEqual({
      type: 'settings',
      quality: 'high',
      colourLevel: 'full',
      viewOnly: true,
      inEffect: { preset: 'high', colourLevel: 'full' },
    });
  });

  it('a quality chosen by hand is never changed by measurements', () => {
    const policy = new PicturePolicy({ quality: 'high', colourLevel: 'full' });
    policy.connectionStarted(0);
    expect(feed(policy, 100, 40, 0).change).toBeUndefined();
  });

  it('enters safe mode once after an unparsable stream, and a colour level chosen by hand leaves it', () => {
    const policy = new PicturePolicy({ quality: 'low', colourLevel: 'rgb332' });
    expect(policy.enterSafeModeAfter('invalid message type 77', false)).toBe(false);
    expect(policy.enterSafeModeAfter('invalid message type 77', true)).toBe(true);
    expect(policy.encodings()).toEqual([...SAFE_MODE_ENCODINGS]);
    expect(policy.colourLevelInEffect()).toBe('full');
    expect(policy.settings(false)).toMatchObject({ colourLevel: 'full', inEffect: { preset: 'high' } });
    expect(policy.safeMode).toBe('invalid message type 77');
    expect(policy.setColourLevel('rgb565')).toEqual({
      colourLevel: 'rgb565',
      encodings: qualityEncodings('low'),
    });
    expect(policy.inSafeMode).toBe(false);
    // Tried once already: not again by itself.
    expect(policy.enterSafeModeAfter('again', true)).toBe(false);
    policy.requestSafeMode();
    expect(policy.safeMode).toBe('asked for by the user');
  });

  it('falls back to full colour once after a drop that followed a lower colour level', () => {
    const policy = new PicturePolicy({ quality: 'auto', colourLevel: 'rgb332' });
    expect(policy.fallBackToFullColour('full', 'closed')).toBe(false);
    expect(policy.fallBackToFullColour(undefined, 'closed')).toBe(false);
    expect(policy.fallBackToFullColour('rgb332', 'the server closed the connection')).toBe(true);
    expect(policy.colourFallback).toBe('Full colour: the server closed the connection');
    expect(policy.colourLevelInEffect()).toBe('full');
    expect(policy.fallBackToFullColour('rgb332', 'again')).toBe(false);
    // The user's own choice clears the note.
    policy.setColourLevel('rgb565');
    expect(policy.colourFallback).toBeUndefined();
  });
});
