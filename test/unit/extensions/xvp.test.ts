import { describe, expect, it } from 'vitest';
import { buildXvp, parseXvp, powerFailureText, XVP_ENCODING } from '../../../main/rfb/extensions/xvp.ts';
import { ExtensionsHarness } from './harness.ts';

const INIT = Uint8Array.of(250, 0, 1, 1);
const FAIL = Uint8Array.of(250, 0, 1, 0);

describe('XVP message formats', () => {
  it('builds the three actions as type 250, padding, version 1, code', () => {
    expect(XVP_ENCODING).toBe(-309);
    expect(Array.from(buildXvp('shutdown'))).toEqual([250, 0, 1, 2]);
    expect(Array.from(buildXvp('reboot'))).toEqual([250, 0, 1, 3]);
    expect(Array.from(buildXvp('reset'))).toEqual([250, 0, 1, 4]);
  });

  it('parses XVP_INIT and XVP_FAIL, and nothing else', () => {
    expect(parseXvp(INIT)).toEqual({ kind: 'init', version: 1 });
    expect(parseXvp(FAIL)).toEqual({ kind: 'fail', version: 1 });
    expect(parseXvp(Uint8Array.of(250, 0, 1, 4))).toBeUndefined();
    expect(powerFailureText('reboot')).toBe('the server refused to reboot the machine');
    expect(powerFailureText('shutdown')).toBe('the server refused to shut down the machine');
  });
});

describe('XVP in a session', () => {
  it('offers power control after XVP_INIT (at every split) and not before', () => {
    for (let at = 1; at < INIT.length; at++) {
      const h = new ExtensionsHarness();
      expect(h.session.requestPower('reset')).toBe(false);
      expect(h.takeSent()).toEqual([]);
      h.receiveSplit(INIT, at);
      expect(h.events).toEqual([{ kind: 'power-available' }]);
      expect(h.session.requestPower('reset')).toBe(true);
      expect(h.takeSent().map((m) => Array.from(m))).toEqual([[250, 0, 1, 4]]);
    }
  });

  it('reports XVP_FAIL naming the action asked for', () => {
    const h = new ExtensionsHarness().receive(INIT);
    h.session.requestPower('reboot');
    h.receive(FAIL, true);
    expect(h.events.at(-1)).toEqual({
      kind: 'power-failed',
      action: 'reboot',
      message: 'the server refused to reboot the machine',
    });
    expect(h.error).toBeUndefined();
  });

  it('goes on parsing after an XVP message in the middle of the stream', () => {
    const h = new ExtensionsHarness();
    h.receive(Uint8Array.of(2, 250, 0, 1, 1, 2));
    expect(h.ops.filter((op) => op.kind === 'bell')).toHaveLength(2);
    expect(h.events).toEqual([{ kind: 'power-available' }]);
  });
});
