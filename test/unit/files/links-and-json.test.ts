import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { exportBookmarksJson, importBookmarksJson, resolveLink } from '../../../main/app/bookmark-files.ts';
import { parseVncLink } from '../../../main/app/vnc-link.ts';
import { type Bookmark, BookmarkSchema, SETTINGS_VERSION } from '../../../shared/settings.ts';

const bookmark = (fields: Partial<Bookmark> & { id: string; address: string }): Bookmark =>
  v.parse(BookmarkSchema, { name: fields.id, createdAt: '2026-03-04T05:06:07.000Z', ...fields });

describe('parseVncLink', () => {
  const good: [string, ReturnType<typeof parseVncLink>][] = [
    ['vnc://host', { host: 'host', port: 5900, username: '', options: {} }],
    ['VNC://Host.Example:5901/', { host: 'Host.Example', port: 5901, username: '', options: {} }],
    // RFC 7869: the number is a TCP port, as parseTarget reads vnc:// (not a display number).
    ['vnc://host:1', { host: 'host', port: 1, username: '', options: {} }],
    ['vnc://10.0.0.5:65535', { host: '10.0.0.5', port: 65535, username: '', options: {} }],
    ['vnc://alice@host:5902', { host: 'host', port: 5902, username: 'alice', options: {} }],
    ['vnc://d%5Calice@host', { host: 'host', port: 5900, username: 'd\\alice', options: {} }],
    ['vnc://[::1]:5901', { host: '::1', port: 5901, username: '', options: {} }],
    // RFC 3986 §3.2.3: an empty port is the default one.
    ['vnc://host:', { host: 'host', port: 5900, username: '', options: {} }],
    ['vnc://[fe80::1%25eth0]', { host: 'fe80::1%25eth0', port: 5900, username: '', options: {} }],
    ['  vnc://host  ', { host: 'host', port: 5900, username: '', options: {} }],
    [
      'vnc://host?ViewOnly=1&Quality=Low&ColorLevel=rgb111&Shared=false',
      {
        host: 'host',
        port: 5900,
        username: '',
        options: { viewOnly: true, quality: 'low', colourLevel: 'rgb111', shared: false },
      },
    ],
    [
      'vnc://host/?colourlevel=PAL8&VncUsername=bob&ConnectionName=x',
      { host: 'host', port: 5900, username: 'bob', options: { colourLevel: 'pal8' } },
    ],
  ];
  for (const [url, expected] of good) {
    it(`accepts ${url}`, () => expect(parseVncLink(url)).toEqual(expected));
  }

  const bad: [string, string][] = [
    ['vnc://alice:secret@host', 'vnc:// links must not carry a password ("user:password@")'],
    ['vnc://:secret@host', 'must not carry a password'],
    ['vnc://host?VncPassword=secret', 'must not carry a password'],
    ['http://host:5900', '"http:" links are not VNC links'],
    ['javascript:alert(1)', '"javascript:" links are not VNC links'],
    ['host:5900', '"host:" links are not VNC links'],
    ['just words', 'is not a vnc:// link'],
    ['vnc:host', 'is not a vnc:// link'],
    ['vnc://', 'needs a host'],
    ['vnc://host:0', 'port 0 is outside 1–65535'],
    ['vnc://host:65536', 'port 65536 is outside 1–65535'],
    ['vnc://host:59a', '"59a" is not a port number'],
    ['vnc://host:123456', '"123456" is not a port number'],
    ['vnc://[::1', 'without its closing "]"'],
    ['vnc://[nothex]:1', 'is not an IPv6 address'],
    ['vnc://ho st', 'must not contain spaces'],
    ['vnc://host\u0000', 'control characters'],
    ['vnc://-host', 'is not a host name'],
    ['vnc://host/some/path', 'has no path'],
    ['vnc://host#frag', 'has no "#" part'],
    ['vnc://host?ViewOnly=perhaps', 'viewonly=perhaps is not 0 or 1'],
    ['vnc://host?Quality=ultra', 'Quality=ultra is not auto, high, medium or low'],
    ['vnc://host?ColorLevel=rgb999', 'ColorLevel=rgb999 is not full'],
    ['vnc://%zz@host', 'not valid percent-encoding'],
    [`vnc://${'a'.repeat(3000)}`, 'a vnc:// link is at most 2048'],
  ];
  for (const [url, message] of bad) {
    it(`rejects ${JSON.stringify(url.slice(0, 40))}`, () => expect(() => parseVncLink(url)).toThrow(message));
  }
});

describe('resolveLink', () => {
  const bookmarks = [
    bookmark({ id: 'office', address: 'office.example:2' }),
    bookmark({ id: 'lab', address: 'lab.example::6001', username: 'ops' }),
    bookmark({ id: 'v6', address: '[fd00::7]:1' }),
    bookmark({ id: 'broken', address: 'bad host name' }),
  ];

  it('a link to a bookmarked host and port uses that bookmark', () => {
    expect(resolveLink('vnc://office.example:5902?ViewOnly=1', bookmarks)).toEqual({
      target: 'office.example::5902',
      username: '',
      bookmarkId: 'office',
      needsConfirmation: false,
      options: { viewOnly: true },
    });
    expect(resolveLink('vnc://OFFICE.example:5902', bookmarks).bookmarkId).toBe('office');
    expect(resolveLink('vnc://[fd00::7]:5901', bookmarks).bookmarkId).toBe('v6');
    expect(resolveLink('vnc://lab.example:6001', bookmarks)).toMatchObject({
      bookmarkId: 'lab',
      username: 'ops',
    });
    expect(resolveLink('vnc://ops@lab.example:6001', bookmarks).bookmarkId).toBe('lab');
  });

  const strangers = [
    'vnc://office.example', // port 5900, not 5902
    'vnc://office.example:2', // a port, not display 2
    'vnc://office.example.evil.test:5902',
    'vnc://evil.test:5902',
    'vnc://10.0.0.1:5902',
    'vnc://eve@lab.example:6001', // another user on the bookmarked server
    'vnc://[fd00::8]:5901',
    'vnc://bad:5900',
  ];
  for (const url of strangers) {
    it(`${url} needs confirmation and gets no bookmark`, () => {
      const link = resolveLink(url, bookmarks);
      expect(link.needsConfirmation).toBe(true);
      expect(link.bookmarkId).toBeUndefined();
    });
  }

  it('no bookmark at all: confirmation', () => {
    expect(resolveLink('vnc://office.example:5902', [])).toEqual({
      target: 'office.example::5902',
      username: '',
      needsConfirmation: true,
      options: {},
    });
  });

  it('a bad link is an error, not a guess', () => {
    expect(() => resolveLink('vnc://a:b@office.example:5902', bookmarks)).toThrow(
      'must not carry a password',
    );
  });
});

describe('bookmarks as JSON', () => {
  const everyField = bookmark({
    id: 'full',
    name: 'Everything set',
    address: '[fd00::1]::5999',
    username: 'root',
    hasPassword: true,
    shared: false,
    viewOnly: true,
    quality: 'low',
    colourLevel: 'rgb565',
    scaling: 'fill',
    encodings: 'tight,zrle,raw',
    security: {
      types: [19, 2],
      requireEncryption: true,
      allowPlainUnencrypted: false,
      caFile: '/etc/porthole/ca.pem',
      clientCertFile: '/home/u/client.pem',
      clientKeyFile: '/home/u/client.key',
    },
    ssh: { enabled: true, host: 'jump.example', port: 2222, user: 'tunnel', identityFile: '/home/u/.ssh/id' },
    notes: 'Line one\nLine two — ünïcödé',
    group: 'Lab',
    tags: ['vm', 'windows'],
    favourite: true,
    safeModeReconnect: false,
    lastConnected: '2026-05-06T07:08:09.000Z',
  });
  const plain = bookmark({ id: 'plain', address: 'host:1' });

  it('export → import gives back every field a bookmark has (but no ids or bookkeeping)', () => {
    const file = exportBookmarksJson([everyField, plain]);
    expect(file.fileName).toBe('porthole-bookmarks.json');
    const document = JSON.parse(file.text);
    expect(document.format).toBe('porthole-bookmarks');
    expect(document.version).toBe(SETTINGS_VERSION);
    const strip = ({ id: _i, hasPassword: _h, createdAt: _c, lastConnected: _l, ...fields }: Bookmark) =>
      fields;
    expect(importBookmarksJson(file.text)).toEqual([strip(everyField), strip(plain)]);
  });

  it('never carries a password or whether there is one', () => {
    const { text } = exportBookmarksJson([everyField]);
    expect(text).not.toMatch(/passw/i);
  });

  const bad: [string, string][] = [
    ['not json', 'the file is not JSON'],
    ['[]', 'not a Porthole bookmarks export'],
    ['{"format":"other","version":2,"bookmarks":[]}', '"format" is not "porthole-bookmarks"'],
    ['{"format":"porthole-bookmarks","bookmarks":[]}', 'no valid "version" number'],
    ['{"format":"porthole-bookmarks","version":99,"bookmarks":[]}', 'version 99, from a newer Porthole'],
    ['{"format":"porthole-bookmarks","version":2}', 'no "bookmarks" list'],
    [
      '{"format":"porthole-bookmarks","version":2,"bookmarks":[{"name":"A","address":"a"},{"name":"Bad","address":"b","quality":"ultra"}]}',
      'bookmark 2 ("Bad"): quality:',
    ],
    ['{"format":"porthole-bookmarks","version":2,"bookmarks":[{"address":"a"}]}', 'bookmark 1: name:'],
    [
      '{"format":"porthole-bookmarks","version":2,"bookmarks":[{"name":"Spaces","address":"a b"}]}',
      'bookmark 1 ("Spaces"): address: "a b" is not a valid host name',
    ],
    ['{"format":"porthole-bookmarks","version":2,"bookmarks":[null]}', 'bookmark 1:'],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text.slice(0, 60)}`, () => expect(() => importBookmarksJson(text)).toThrow(message));
  }

  it('an entry carrying ids or a password flag is read as fields only', () => {
    const text = JSON.stringify({
      format: 'porthole-bookmarks',
      version: SETTINGS_VERSION,
      bookmarks: [{ id: 'x', hasPassword: true, name: 'N', address: 'h', createdAt: 'nonsense' }],
    });
    const [fields] = importBookmarksJson(text);
    expect(fields).not.toHaveProperty('id');
    expect(fields).not.toHaveProperty('hasPassword');
    expect(fields).toMatchObject({ name: 'N', address: 'h' });
  });
});
