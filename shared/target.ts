import { vmTargetName } from './vm-hosts.ts';

/** A VNC server address as users write it, resolved to host and TCP port. */
export interface Target {
  host: string;
  port: number;
}

export const BASE_PORT = 5900;

/**
 * Parses the address forms VNC viewers accept:
 * `host` (display 0), `host:N` (display N, port 5900+N; N ≥ 100 is taken as a port),
 * `host::port`, `vnc://host[:port]` (a port, default 5900), IPv6 in brackets (`[::1]:1`).
 * Throws an Error whose message says what is wrong.
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (!text) throw new Error('no server address given (e.g. localhost:1, 10.0.0.5::5901, vnc://host:5900)');
  if (/^vnc:\/\//i.test(text)) {
    const rest = text
      .slice(6)
      .replace(/\/.*$/, '')
      .replace(/^[^@]*@/, '');
    const { host, tail } = splitHost(rest, input);
    if (tail === '') return { host, port: BASE_PORT };
    if (!tail.startsWith(':')) throw new Error(`"${input}" is not a valid vnc:// address`);
    return { host, port: parsePort(tail.slice(1), input) };
  }
  const { host, tail } = splitHost(text, input);
  if (tail === '') return { host, port: BASE_PORT };
  if (tail.startsWith('::')) return { host, port: parsePort(tail.slice(2), input) };
  if (tail.startsWith(':')) {
    const n = parseNumber(tail.slice(1), input);
    return { host, port: n < 100 ? BASE_PORT + n : checkPort(n, input) };
  }
  throw new Error(`"${input}" is not a valid server address`);
}

function splitHost(text: string, input: string): { host: string; tail: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new Error(`"${input}" has an IPv6 address without its closing "]"`);
    const host = text.slice(1, close);
    if (!host) throw new Error(`"${input}" has an empty IPv6 address`);
    return { host, tail: text.slice(close + 1) };
  }
  const colon = text.indexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  if (!host) throw new Error(`"${input}" has no host name before the ":"`);
  if (/[\s/]/.test(host)) throw new Error(`"${host}" is not a valid host name`);
  return { host, tail: colon < 0 ? '' : text.slice(colon) };
}

function parseNumber(text: string, input: string, what = 'display or port number'): number {
  if (!/^\d{1,5}$/.test(text)) throw new Error(`"${input}": "${text}" is not a ${what}`);
  return Number(text);
}

function parsePort(text: string, input: string): number {
  return checkPort(parseNumber(text, input, 'port number'), input);
}

function checkPort(port: number, input: string): number {
  if (port < 1 || port > 65535) throw new Error(`"${input}": port ${port} is outside 1–65535`);
  return port;
}

export function formatTarget(target: Target): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${host}::${target.port}`;
}

/**
 * Checks an address as a bookmark may hold it: any form `parseTarget` reads, or `vm:NAME` (a
 * libvirt domain, looked up on its VM host). Throws an Error saying what is wrong.
 */
export function checkAddress(input: string): void {
  if (vmTargetName(input) === undefined) parseTarget(input);
}

/**
 * Whether two addresses name the same server (host compared without case, same port; the
 * same domain for `vm:NAME`); false when either is not a valid address.
 */
export function sameServer(a: string | Target, b: string | Target): boolean {
  try {
    if (typeof a === 'string' && typeof b === 'string' && vmTargetName(a) !== undefined)
      return vmTargetName(a) === vmTargetName(b);
    const first = typeof a === 'string' ? parseTarget(a) : a;
    const second = typeof b === 'string' ? parseTarget(b) : b;
    return first.host.toLowerCase() === second.host.toLowerCase() && first.port === second.port;
  } catch {
    return false;
  }
}
