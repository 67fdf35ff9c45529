import { type ColourLevel, isColourLevel } from '../../shared/colour-level.ts';
import type { ResolvedLink } from '../../shared/ipc.ts';
import { isPictureQuality } from '../../shared/picture-quality.ts';
import type { Bookmark } from '../../shared/settings.ts';
import { formatTarget, parseTarget, sameServer, type Target } from '../../shared/target.ts';

/**
 * `vnc://` links (RFC 7869): `vnc://[user@]host[:port][/][?name=value&…]`. As RFC 7869 §2
 * says, and as `parseTarget` reads `vnc://` addresses, the number after the colon is a TCP
 * port (default 5900), not a display number. A link never carries a password: the
 * `user:password@` form and a `VncPassword` parameter are refused, so a web page cannot
 * hand the viewer credentials and the user types them into the viewer only.
 */

export const MAX_LINK_LENGTH = 2048;

export interface VncLink {
  host: string;
  port: number;
  username: string;
  options: ResolvedLink['options'];
}

const BOOLEAN_VALUES: Record<string, boolean> = {
  '1': true,
  true: true,
  yes: true,
  on: true,
  '0': false,
  false: false,
  no: false,
  off: false,
};

/** Parses a `vnc://` link; throws an Error saying what is wrong with it. */
export function parseVncLink(url: string): VncLink {
  if (typeof url !== 'string') throw new Error('a vnc:// link must be text');
  if (url.length > MAX_LINK_LENGTH) {
    throw new Error(`the link is ${url.length} characters long; a vnc:// link is at most ${MAX_LINK_LENGTH}`);
  }
  const text = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  if (scheme === undefined) throw new Error(`"${shorten(text)}" is not a vnc:// link`);
  if (scheme.toLowerCase() !== 'vnc') {
    throw new Error(`"${scheme}:" links are not VNC links; Porthole opens vnc:// links only`);
  }
  if (!text.slice(4).startsWith('//'))
    throw new Error(`"${shorten(text)}" is not a vnc:// link (vnc://host[:port])`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
  if (/[\s\u0000-\u001f\u007f]/.test(text))
    throw new Error('a vnc:// link must not contain spaces or control characters');

  const rest = text.slice(6);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  const hash = tail.indexOf('#');
  if (hash >= 0) throw new Error('a vnc:// link has no "#" part');
  const question = tail.indexOf('?');
  const path = question < 0 ? tail : tail.slice(0, question);
  const query = question < 0 ? '' : tail.slice(question + 1);
  if (path !== '' && path !== '/') throw new Error(`a vnc:// link has no path ("${shorten(path)}")`);

  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  if (userInfo.includes(':')) {
    throw new Error(
      'vnc:// links must not carry a password ("user:password@"); Porthole asks for it when the server wants one',
    );
  }
  let username = decode(userInfo, 'user name');
  const target = parseHostPort(hostPort);

  const options: VncLink['options'] = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals < 0 ? part : part.slice(0, equals), 'parameter name').toLowerCase();
    const value = decode(equals < 0 ? '' : part.slice(equals + 1), 'parameter value');
    switch (name) {
      case 'vncpassword':
      case 'password':
        throw new Error(
          'vnc:// links must not carry a password; Porthole asks for it when the server wants one',
        );
      case 'vncusername':
      case 'username':
        if (!username) username = value;
        break;
      case 'viewonly':
        options.viewOnly = parseBoolean(name, value);
        break;
      case 'shared':
        options.shared = parseBoolean(name, value);
        break;
      case 'quality': {
        const quality = value.toLowerCase();
        if (!isPictureQuality(quality))
          throw new Error(`Quality=${shorten(value)} is not auto, high, medium or low`);
        options.quality = quality;
        break;
      }
      case 'colorlevel':
      case 'colourlevel': {
        const level = value.toLowerCase();
        if (!isColourLevel(level)) {
          throw new Error(`ColorLevel=${shorten(value)} is not full, rgb565, rgb332, rgb222, rgb111 or pal8`);
        }
        options.colourLevel = level as ColourLevel;
        break;
      }
      default:
        // Other RFC 7869 parameters (ConnectionName, SecurityType…) have no effect here.
        break;
    }
  }
  if (username.length > 255) throw new Error('the user name in the link is longer than 255 characters');
  return { ...target, username, options };
}

/**
 * What a link asks for. A link to a bookmarked server (same host and port, and the same
 * user name when the link names one) uses that bookmark; any other link must be confirmed
 * by the user, and its connection never uses a stored password.
 */
export function resolveLink(url: string, bookmarks: readonly Bookmark[]): ResolvedLink {
  const link = parseVncLink(url);
  const target = formatTarget(link);
  const match = bookmarks.find(
    (bookmark) =>
      sameServer(bookmark.address, link) && (link.username === '' || link.username === bookmark.username),
  );
  if (!match) return { target, username: link.username, needsConfirmation: true, options: link.options };
  return {
    target,
    username: link.username || match.username,
    bookmarkId: match.id,
    needsConfirmation: false,
    options: link.options,
  };
}

/**
 * The link's `host[:port]`, read by `parseTarget` (a `vnc://` port, default 5900), with a
 * stricter host: a link comes from anywhere, so only host names and IP addresses pass.
 */
function parseHostPort(text: string): Target {
  if (text === '') throw new Error('a vnc:// link needs a host (vnc://host[:port])');
  // RFC 3986 §3.2.3 allows an empty port ("host:"): the default one.
  const target = parseTarget(`vnc://${text.endsWith(':') ? text.slice(0, -1) : text}`);
  if (text.startsWith('[')) {
    if (!/^[0-9a-f:.]+(%[\w.-]+)?$/i.test(target.host) || !target.host.includes(':')) {
      throw new Error(`"[${shorten(target.host)}]" is not an IPv6 address`);
    }
  } else if (target.host.length > 253 || !/^[a-z0-9]([a-z0-9_.-]*[a-z0-9_])?$/i.test(target.host)) {
    throw new Error(`"${shorten(decodeSafe(target.host))}" is not a host name or IPv4 address`);
  }
  return target;
}

function parseBoolean(name: string, value: string): boolean {
  const parsed = BOOLEAN_VALUES[value.toLowerCase()];
  if (parsed === undefined) throw new Error(`${name}=${shorten(value)} is not 0 or 1`);
  return parsed;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`the link's ${what} is not valid percent-encoding`);
  }
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
