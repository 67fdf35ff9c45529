import { describe, expect, it } from 'vitest';
import { formatScanTable, parsePortRange, parseScanHost, scanTimeouts } from '../../main/cli/scan.ts';
import { DEFAULT_PROBE_TIMEOUTS } from '../../main/discovery/probe.ts';
import { RfbError } from '../../shared/rfb-error.ts';

const usage = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RfbError);
    expect((error as RfbError).kind).toBe('usage');
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('--ports', () => {
  it('takes A-B, A–B and a single port', () => {
    expect(parsePortRange('5900-5999')).toEqual({ from: 5900, to: 5999 });
    expect(parsePortRange(' 5900 – 5910 ')).toEqual({ from: 5900, to: 5910 });
    expect(parsePortRange('5901')).toEqual({ from: 5901, to: 5901 });
    expect(parsePortRange('1-1024')).toEqual({ from: 1, to: 1024 });
    expect(parsePortRange('64512-65535')).toEqual({ from: 64512, to: 65535 });
  });

  it('refuses bad ranges with the reason', () => {
    expect(usage(() => parsePortRange('5999-5900'))).toMatch(/first port is greater than the last/);
    expect(usage(() => parsePortRange('1-1025'))).toMatch(/1025 ports, more than the 1024/);
    expect(usage(() => parsePortRange('0-10'))).toMatch(/ports 1–65535, not "0-10"/);
    expect(usage(() => parsePortRange('5900-65536'))).toMatch(/ports 1–65535/);
    for (const bad of ['', 'vnc', '5900-', '-5900', '5900-5910-5920', '5900..5910', '1e3-2e3', '5900,5901'])
      expect(usage(() => parsePortRange(bad))).toMatch(/--ports needs a range A-B/);
  });
});

describe('--timeout and the host', () => {
  it('the timeout sets both per-port limits; defaults otherwise', () => {
    expect(scanTimeouts(undefined)).toEqual(DEFAULT_PROBE_TIMEOUTS);
    expect(DEFAULT_PROBE_TIMEOUTS).toEqual({ connectMs: 1000, handshakeMs: 1500 });
    expect(scanTimeouts('0.25')).toEqual({ connectMs: 250, handshakeMs: 250 });
    expect(usage(() => scanTimeouts('-1'))).toMatch(/--timeout needs a positive number/);
  });

  it('takes names and addresses, IPv6 in brackets or not', () => {
    expect(parseScanHost('vmhost.example')).toBe('vmhost.example');
    expect(parseScanHost('[::1]')).toBe('::1');
    expect(parseScanHost('::1')).toBe('::1');
    expect(usage(() => parseScanHost('vnc://host'))).toMatch(/not a host name or address/);
  });
});

describe('the table', () => {
  it('one row per server sorted by port, types by name, "-" for what is unknown, names made safe', () => {
    const table = formatScanTable([
      { host: 'h', port: 5902, version: '3.8', securityTypes: [2] },
      {
        host: 'h',
        port: 5900,
        version: '3.8',
        securityTypes: [1],
        name: 'guest\u001b[31m',
        width: 1024,
        height: 768,
      },
      { host: 'h', port: 5901, version: '3.889', securityTypes: [30, 2, 99] },
      { host: 'h', port: 5903, version: '3.3', securityTypes: [], name: '', width: 640, height: 480 },
    ]);
    expect(table.split('\n')).toEqual([
      'PORT  VERSION  SECURITY                                                    NAME        SIZE',
      '5900  3.8      None (1)                                                    guest\ufffd[31m  1024x768',
      '5901  3.889    Apple Remote Desktop (30), VNC Authentication (2), type 99  -           -',
      '5902  3.8      VNC Authentication (2)                                      -           -',
      '5903  3.3      -                                                           ""          640x480',
    ]);
  });
});
