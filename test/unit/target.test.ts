import { describe, expect, it } from 'vitest';
import { parseTarget, sameServer } from '../../shared/target.ts';

describe('parseTarget', () => {
  const good: [string, string, number][] = [
    ['myhost', 'myhost', 5900],
    ['myhost:0', 'myhost', 5900],
    ['myhost:1', 'myhost', 5901],
    ['myhost:99', 'myhost', 5999],
    ['myhost:5901', 'myhost', 5901],
    ['myhost:100', 'myhost', 100],
    ['myhost::5901', 'myhost', 5901],
    ['myhost::1', 'myhost', 1],
    ['10.0.0.5:2', '10.0.0.5', 5902],
    ['vnc://myhost', 'myhost', 5900],
    ['vnc://myhost:5902', 'myhost', 5902],
    ['VNC://user@myhost:5903/', 'myhost', 5903],
    ['[::1]', '::1', 5900],
    ['[::1]:3', '::1', 5903],
    ['[fe80::1]::6000', 'fe80::1', 6000],
    ['vnc://[::1]:5901', '::1', 5901],
    ['  host:1  ', 'host', 5901],
  ];
  for (const [input, host, port] of good) {
    it(`${JSON.stringify(input)} → ${host} port ${port}`, () => {
      expect(parseTarget(input)).toEqual({ host, port });
    });
  }

  const bad: [string, RegExp][] = [
    ['', /no server address/],
    [':1', /no host name/],
    ['host:abc', /not a display or port number/],
    ['host::70000', /outside 1–65535/],
    ['host::0', /outside 1–65535/],
    ['[::1', /closing "\]"/],
    ['[::1]x', /not a valid server address/],
    ['vnc://host:x', /"x" is not a port number/],
    ['host:1:2', /not a display or port number/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(() => parseTarget(input)).toThrow(message);
    });
  }
});

describe('sameServer', () => {
  it('compares host (without case) and port, whatever form each address takes', () => {
    expect(sameServer('Office.Example:2', 'office.example::5902')).toBe(true);
    expect(sameServer('vnc://[FD00::7]:5901', '[fd00::7]:1')).toBe(true);
    expect(sameServer('office.example:2', { host: 'OFFICE.example', port: 5902 })).toBe(true);
    expect(sameServer('office.example:2', 'office.example:3')).toBe(false);
    expect(sameServer('office.example:2', 'other.example:2')).toBe(false);
  });
  it('is false when either address is not valid', () => {
    expect(sameServer('host:abc', 'host:abc')).toBe(false);
    expect(sameServer('', { host: '', port: 5900 })).toBe(false);
  });
});
