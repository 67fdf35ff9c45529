import { describe, expect, it } from 'vitest';
import { parseToSession } from '../../../main/session/parse-message.ts';

describe('viewer messages for the extensions', () => {
  it('accepts the three power actions and nothing else', () => {
    for (const action of ['shutdown', 'reboot', 'reset']) {
      expect(parseToSession({ type: 'power', action })).toEqual({ type: 'power', action });
    }
    expect(parseToSession({ type: 'power', action: 'halt' })).toBeUndefined();
    expect(parseToSession({ type: 'power' })).toBeUndefined();
  });

  it('audio takes a boolean, and open takes an optional audio flag', () => {
    expect(parseToSession({ type: 'audio', on: true })).toEqual({ type: 'audio', on: true });
    expect(parseToSession({ type: 'audio', on: 'yes' })).toBeUndefined();
    expect(parseToSession({ type: 'open', request: { target: 'h', audio: true } })).toEqual({
      type: 'open',
      request: { target: 'h', audio: true },
    });
    expect(parseToSession({ type: 'open', request: { target: 'h', audio: 1 } })).toBeUndefined();
  });
});
