import type { BookmarkFields } from '../../../shared/settings.ts';

/** The bookmark fields of save number `n` in the crash test; sizes vary so files differ in length. */
export function crashTestFields(n: number): BookmarkFields {
  return {
    name: `Crash test ${n}`,
    address: 'localhost:1',
    username: '',
    shared: true,
    viewOnly: n % 2 === 0,
    quality: 'auto',
    colourLevel: 'full',
    scaling: 'fit',
    encodings: '',
    security: { types: [], requireEncryption: false },
    ssh: { enabled: false, host: '', port: 22, user: '', identityFile: '' },
    notes: `save ${n} ${'x'.repeat((n * 37) % 3000)}`,
    group: '',
    tags: Array.from({ length: n % 5 }, (_, i) => `tag${i}`),
    favourite: false,
    safeModeReconnect: true,
  };
}
