import { describe, expect, it } from 'vitest';
import { parseToSession } from '../../../main/session/parse-message.ts';

describe('messages from the viewer', () => {
  it('accepts every well-formed message', () => {
    const good = [
      {
        type: 'open',
        request: { target: 'host:1', password: 'x', viewOnly: true, quality: 'low', colourLevel: 'rgb222' },
      },
      { type: 'password', password: 'secret' },
      {
        type: 'open',
        request: {
          target: 'h',
          username: 'alice',
          securityTypes: [261, 2],
          requireEncryption: true,
          stallSeconds: 3600,
        },
      },
      { type: 'certificate', trust: false },
      { type: 'check-connection' },
      {
        type: 'open',
        request: { target: '127.0.0.1:1', ssh: { host: 'kvm1', port: 2222, user: '', identityFile: '/k' } },
      },
      { type: 'ssh-answer', answer: true },
      { type: 'ssh-answer', answer: 'passphrase' },
      { type: 'ssh-answer', answer: null },
      { type: 'painted' },
      { type: 'key', keysym: 0xffe1, down: true, scancode: 0x2a },
      { type: 'pointer', x: 10, y: 20, buttons: 5 },
      { type: 'clipboard', text: 'héllo' },
      { type: 'view-only', on: false },
      { type: 'colour-level', level: 'pal8' },
      { type: 'quality', quality: 'auto' },
      { type: 'refresh' },
      { type: 'reconnect' },
      { type: 'disconnect' },
    ];
    for (const message of good) expect(parseToSession(message)).toEqual(message);
  });

  it('drops anything else', () => {
    const bad = [
      { type: 'open', request: { target: 'h', ssh: { host: 'kvm1', port: 0, user: 'a' } } },
      { type: 'open', request: { target: 'h', ssh: 'kvm1' } },
      { type: 'ssh-answer', answer: 1 },
      { type: 'ssh-answer' },
      null,
      undefined,
      7,
      'painted',
      [],
      { type: 'open' },
      { type: 'open', request: { target: 5 } },
      { type: 'open', request: { target: 'h', quality: 'ultra' } },
      { type: 'open', request: { target: 'h', shared: 'yes' } },
      { type: 'open', request: { target: 'x'.repeat(2000) } },
      { type: 'open', request: { target: 'h', stallSeconds: 3601 } },
      { type: 'open', request: { target: 'h', securityTypes: [265] } },
      { type: 'open', request: { target: 'h', securityTypes: new Array(33).fill(2) } },
      { type: 'open', request: { target: 'h', username: 'u'.repeat(256) } },
      { type: 'open', request: { target: 'h', requireEncryption: 'yes' } },
      { type: 'certificate', trust: 'yes' },
      { type: 'key', keysym: -1, down: true, scancode: 0 },
      { type: 'key', keysym: 1.5, down: true, scancode: 0 },
      { type: 'key', keysym: 1, down: 1, scancode: 0 },
      { type: 'pointer', x: 70000, y: 0, buttons: 0 },
      { type: 'pointer', x: 0, y: 0, buttons: 512 },
      { type: 'clipboard', text: 42 },
      { type: 'colour-level', level: 'rgb999' },
      { type: 'view-only', on: 'true' },
      { type: '__proto__' },
      { type: 'constructor' },
    ];
    for (const message of bad) expect(parseToSession(message), JSON.stringify(message)).toBeUndefined();
  });

  it('keeps only the known fields of a request', () => {
    expect(parseToSession({ type: 'open', request: { target: 'h', evil: 1 } })).toEqual({
      type: 'open',
      request: { target: 'h' },
    });
  });
});
