import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { exportVncFile, importVncFile } from '../../../main/app/bookmark-files.ts';
import { obfuscateVncPassword } from '../../../main/rfb/security/vnc-auth.ts';
import { type Bookmark, type BookmarkFields, BookmarkSchema } from '../../../shared/settings.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/vnc-files');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const importFixture = (name: string) => importVncFile(name, fixture(name));

/** What a bookmark holds when nothing sets a field (the schema's defaults). */
function defaults(name: string, address: string): BookmarkFields {
  const {
    id: _i,
    hasPassword: _h,
    createdAt: _c,
    lastConnected: _l,
    ...fields
  } = v.parse(BookmarkSchema, {
    id: 'x',
    name,
    address,
    createdAt: new Date(0).toISOString(),
  });
  return fields;
}

describe('importVncFile: sample files', () => {
  it('the fixtures carry passwords obfuscated as the viewers store them', () => {
    expect(Buffer.from(obfuscateVncPassword('hunter2')).toString('hex')).toBe('0e20914cff61063a');
    expect(Buffer.from(obfuscateVncPassword('lab-pass')).toString('hex')).toBe('bea1ed08eb555507');
    expect(Buffer.from(obfuscateVncPassword('k9#Secre')).toString('hex')).toBe('ca746583e48fcb2a');
  });

  it('RealVNC, [Connection] and [Options] sections, with a separate Port', () => {
    expect(importFixture('realvnc-office.vnc')).toEqual({
      fields: {
        ...defaults('realvnc-office', 'office.example.com::5902'),
        username: 'ops#1',
        shared: false,
        viewOnly: true,
        quality: 'medium',
        colourLevel: 'rgb222',
        scaling: 'fill',
        security: {
          types: [],
          requireEncryption: true,
          allowPlainUnencrypted: false,
          caFile: '',
          clientCertFile: '',
          clientKeyFile: '',
        },
      },
      password: 'hunter2',
      warnings: ['line 19: unknown setting WallpaperMode ignored'],
    });
  });

  it('TigerVNC, every parameter its viewer saves', () => {
    expect(importFixture('tigervnc-lab.vnc')).toEqual({
      fields: {
        ...defaults('tigervnc-lab', 'lab.example:3'),
        quality: 'high',
        colourLevel: 'rgb111',
        encodings: 'hextile',
        security: {
          types: [2, 258, 262],
          requireEncryption: false,
          allowPlainUnencrypted: false,
          caFile: '',
          clientCertFile: '',
          clientKeyFile: '',
        },
      },
      warnings: [],
    });
  });

  it('no sections, lower-case keys, CRLF line ends, a UTF-8 BOM and an IPv6 address', () => {
    const bytes = readFileSync(join(FIXTURES, 'crlf-bom.vnc'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.includes('\r\n')).toBe(true);
    expect(importFixture('crlf-bom.vnc')).toEqual({
      fields: {
        ...defaults('crlf-bom', '[fe80::1]::5901'),
        viewOnly: true,
        quality: 'low',
        colourLevel: 'pal8',
        scaling: '1:1',
      },
      // VNC keeps 8 characters of a password: "k9#Secret" was stored as "k9#Secre".
      password: 'k9#Secre',
      warnings: [],
    });
  });

  it('UltraVNC-style lower-case sections, FullColour/LowColourLevel and AutoSelect', () => {
    expect(importFixture('ultravnc-lower.vnc')).toEqual({
      fields: {
        ...defaults('ultravnc-lower', '10.0.0.5'),
        viewOnly: true,
        colourLevel: 'rgb332',
        quality: 'auto',
      },
      password: 'lab-pass',
      warnings: ['line 10: unknown setting FancyNewThing ignored'],
    });
  });

  it('a TigerVNC low colour level maps to 8, 64 and 256 colours', () => {
    const level = (n: number) =>
      importVncFile('a.vnc', `ServerName=h\nFullColor=0\nLowColorLevel=${n}\n`).fields.colourLevel;
    expect([level(0), level(1), level(2)]).toEqual(['rgb111', 'rgb222', 'rgb332']);
    expect(importVncFile('a.vnc', 'ServerName=h\nFullColour=1\nLowColourLevel=0\n').fields.colourLevel).toBe(
      'full',
    );
  });

  it('TigerVNC quality: NoJPEG is lossless, a JPEG quality level is Medium (5–9) or Low (0–4)', () => {
    const quality = (lines: string) => importVncFile('a.vnc', `ServerName=h\n${lines}`).fields.quality;
    expect(quality('AutoSelect=0\nNoJPEG=1\nQualityLevel=2\n')).toBe('high');
    expect(quality('AutoSelect=0\nNoJPEG=0\nQualityLevel=7\n')).toBe('medium');
    expect(quality('AutoSelect=0\nNoJPEG=0\nQualityLevel=4\n')).toBe('low');
    expect(quality('AutoSelect=1\nNoJPEG=1\n')).toBe('auto');
    // RealVNC's Quality wins where both are present.
    expect(quality('AutoSelect=0\nNoJPEG=1\nQuality=Low\n')).toBe('low');
  });

  it('an unknown RealVNC Quality or Scaling is a warning, not an error', () => {
    const result = importVncFile('a.vnc', 'Host=h\nQuality=Custom\nScaling=75%\n');
    expect(result.fields.quality).toBe('auto');
    expect(result.fields.scaling).toBe('fit');
    expect(result.warnings).toEqual([
      'line 2: Quality=Custom has no Porthole equivalent; automatic quality used',
      'line 3: Scaling=75% is not None, AspectFit or Fit; fit to window used',
    ]);
  });

  it('warnings are bounded however many unknown keys a file has', () => {
    const text = `Host=h\n${Array.from({ length: 5000 }, (_, i) => `Unknown${i}=1`).join('\n')}`;
    const { warnings } = importVncFile('many.vnc', text);
    expect(warnings).toHaveLength(51);
    expect(warnings.at(-1)).toBe('(further warnings left out)');
  });
});

describe('importVncFile: broken files name the file and the line', () => {
  const cases: [string, string][] = [
    ['broken-port.vnc', 'broken-port.vnc line 7: Port=abc is not a port number (1–65535)'],
    [
      'broken-colour.vnc',
      'broken-colour.vnc line 4: ColourLevel=rgb999 is not a colour level (pal8, rgb111, rgb222 or full)',
    ],
    [
      'broken-password.vnc',
      'broken-password.vnc line 3: Password= is not 16 hex digits (an obfuscated VNC password)',
    ],
    ['broken-binary.vnc', 'broken-binary.vnc line 3: holds binary data; this is not a .vnc connection file'],
    ['broken-line.vnc', 'broken-line.vnc line 3: "this line has no equals sign" is not a Name=Value setting'],
    [
      'broken-host.vnc',
      'broken-host.vnc line 2: Host=office example com is not a server address: "office example com" is not a valid host name',
    ],
    ['broken-no-host.vnc', 'broken-no-host.vnc: no server address (a Host= or ServerName= line) in the file'],
  ];
  for (const [name, message] of cases) {
    it(name, () => {
      expect(() => importFixture(name)).toThrow(new Error(message));
    });
  }

  it('bad values of the other checked keys', () => {
    const error = (text: string) => {
      try {
        importVncFile('x.vnc', text);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(error('Host=h\nPort=70000\n')).toBe('x.vnc line 2: Port=70000 is not a port number (1–65535)');
    expect(error('Host=h\nPort=0\n')).toBe('x.vnc line 2: Port=0 is not a port number (1–65535)');
    expect(error('Host=h\n\nViewOnly=maybe\n')).toBe('x.vnc line 3: ViewOnly=maybe is not 0 or 1');
    expect(error('ServerName=h\nLowColorLevel=3\n')).toBe(
      'x.vnc line 2: LowColorLevel=3 is not a low colour level (0, 1 or 2)',
    );
    expect(error('ServerName=h\nQualityLevel=10\n')).toBe(
      'x.vnc line 2: QualityLevel=10 is not a quality level (0–9)',
    );
    expect(error('Host=h\nPassword=zz20914cff61063a\n')).toBe(
      'x.vnc line 2: Password= is not 16 hex digits (an obfuscated VNC password)',
    );
    expect(error('Host=\n')).toBe('x.vnc: no server address (a Host= or ServerName= line) in the file');
    expect(error('')).toBe('x.vnc: no server address (a Host= or ServerName= line) in the file');
  });

  it('a file over 1 MiB is refused before it is read', () => {
    const text = `Host=h\n${'#'.repeat(1 << 20)}\n`;
    expect(() => importVncFile('/some/dir/huge.vnc', text)).toThrow(
      'huge.vnc: the file is larger than 1 MiB; a .vnc file is a few lines of text',
    );
  });

  it('the error never carries the password', () => {
    expect(() => importVncFile('x.vnc', 'Host=h\nPassword=0e20914cff61063a\nShared=perhaps\n')).toThrow(
      /^x\.vnc line 3: Shared=perhaps is not 0 or 1$/,
    );
  });
});

describe('exportVncFile → importVncFile', () => {
  const base = (fields: Partial<Bookmark>): Bookmark =>
    v.parse(BookmarkSchema, {
      id: 'b1',
      name: 'Build box',
      address: 'build.example:2',
      createdAt: '2026-01-02T03:04:05.000Z',
      hasPassword: true,
      ...fields,
    });

  /** The fields a .vnc file carries; the rest come back as defaults. */
  const carried = (b: Bookmark): BookmarkFields => ({
    ...defaults(b.name, b.address),
    username: b.username,
    shared: b.shared,
    viewOnly: b.viewOnly,
    quality: b.quality,
    colourLevel: b.colourLevel,
    scaling: b.scaling,
    encodings: b.encodings,
    security: b.security,
  });

  const variants: Partial<Bookmark>[] = [
    {},
    {
      username: 'DOMAIN\\alice',
      shared: false,
      viewOnly: true,
      quality: 'low',
      colourLevel: 'rgb111',
      scaling: '1:1',
    },
    {
      address: 'build.example::5999',
      quality: 'medium',
      colourLevel: 'rgb222',
      scaling: 'fill',
      encodings: 'tight',
    },
    { address: '[fd00::5]:7', quality: 'high', colourLevel: 'rgb332', encodings: 'zrle' },
    { address: 'host-only', quality: 'auto', colourLevel: 'pal8', encodings: 'raw' },
    {
      security: {
        types: [2, 1, 5, 6, 30, 113, 129, 130, 258, 262],
        requireEncryption: true,
        allowPlainUnencrypted: false,
        caFile: '/etc/porthole/lab-ca.pem',
        clientCertFile: '',
        clientKeyFile: '',
      },
    },
    { name: 'Rack 4 – console', colourLevel: 'full', encodings: 'hextile', quality: 'high' },
  ];
  for (const [index, variant] of variants.entries()) {
    it(`variant ${index + 1} comes back unchanged`, () => {
      const bookmark = base(variant);
      const file = exportVncFile(bookmark);
      expect(file.fileName).toBe(`${bookmark.name}.vnc`);
      const back = importVncFile(file.fileName, file.text);
      expect(back).toEqual({ fields: carried(bookmark), warnings: [] });
    });
  }

  it('is TigerVNC format (its header first) with RealVNC names too, and no password', () => {
    const { text } = exportVncFile(base({ colourLevel: 'rgb222', quality: 'medium' }));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('TigerVNC Configuration file Version 1.0');
    expect(lines).toContain('ServerName=build.example:2');
    expect(lines).toContain('Host=build.example:2');
    expect(lines).toContain('FullColor=0');
    expect(lines).toContain('LowColorLevel=1');
    expect(lines).toContain('ColorLevel=rgb222');
    expect(lines).toContain('QualityLevel=7');
    expect(lines).toContain('Quality=Medium');
    expect(text).not.toMatch(/passw/i);
  });

  it('a vnc:// address is written as host::port; a file name is made safe', () => {
    const file = exportVncFile(base({ name: 'a/b:c*?', address: 'vnc://[::1]:5905' }));
    expect(file.fileName).toBe('a_b_c__.vnc');
    expect(file.text).toContain('ServerName=[::1]::5905\n');
  });

  it('what no viewer can say: rgb565 becomes full colour, an encoding list its first encoding', () => {
    const back = importVncFile(
      'x.vnc',
      exportVncFile(base({ colourLevel: 'rgb565', encodings: 'tight, zrle' })).text,
    );
    expect(back.fields.colourLevel).toBe('full');
    expect(back.fields.encodings).toBe('tight');
  });
});
