import type { VmDisplay } from '../../shared/vm-hosts.ts';

/** One `<graphics>` element of a domain (libvirt's formatdomain, "Graphical framebuffers"). */
export interface GraphicsElement {
  type: string;
  /** The TCP port; -1 or absent until an autoport domain runs. */
  port?: number;
  autoport?: boolean;
  /** The `listen` attribute, or the address of its first `<listen type='address'>` child. */
  listen?: string;
  /** A `<listen type='socket'>` child, or the `socket` attribute: VNC on a Unix socket. */
  socket: boolean;
}

/** The most XML read: a domain's XML is a few KiB; anything far larger is not what virsh prints. */
export const MAX_DOMAIN_XML = 4 << 20;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return safeCodePoint(Number.parseInt(name.slice(2), 16), whole);
    if (name.startsWith('#')) return safeCodePoint(Number(name.slice(1)), whole);
    return ENTITIES[name] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

/** Attributes of a start tag's text (after its name): `name='value'` or `name="value"`. */
function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) {
    attributes[match[1]] = decodeEntities(match[2] ?? match[3]);
  }
  return attributes;
}

interface StartTag {
  name: string;
  attributes: Record<string, string>;
  /** The element's path from the root: `domain/devices/graphics`. */
  path: string;
}

/**
 * Walks the start tags of an XML document with their paths, skipping comments, CDATA,
 * processing instructions and the doctype, so that text which only looks like an element
 * (in `<metadata>` of other applications the path differs) is never taken for one.
 * Malformed input ends the walk; nothing here can loop or grow without bound.
 */
function* startTags(xml: string): Generator<StartTag> {
  const stack: string[] = [];
  let at = 0;
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    if (open < 0) return;
    if (xml.startsWith('<!--', open)) {
      const end = xml.indexOf('-->', open + 4);
      if (end < 0) return;
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', open)) {
      const end = xml.indexOf(']]>', open + 9);
      if (end < 0) return;
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<?', open) || xml.startsWith('<!', open)) {
      const end = xml.indexOf('>', open + 2);
      if (end < 0) return;
      at = end + 1;
      continue;
    }
    // A tag ends at the first ">" outside quotes.
    const tag = /^<(\/?)([\w:.-]+)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(xml.slice(open, open + 65536));
    if (!tag) return;
    at = open + tag[0].length;
    const [, closing, name, rest] = tag;
    const selfClosing = rest.trimEnd().endsWith('/');
    if (closing) {
      if (stack.pop() !== name) return;
      continue;
    }
    stack.push(name);
    yield { name, attributes: parseAttributes(rest), path: stack.join('/') };
    if (selfClosing) stack.pop();
  }
}

/** The `<graphics>` devices of a domain's XML (`virsh dumpxml`), in document order. */
export function domainGraphics(xml: string): GraphicsElement[] {
  const found: GraphicsElement[] = [];
  for (const tag of startTags(xml.slice(0, MAX_DOMAIN_XML))) {
    if (tag.path === 'domain/devices/graphics') {
      const { type = '', port, autoport, listen, socket } = tag.attributes;
      const number = port === undefined ? undefined : Number(port);
      found.push({
        type,
        ...(number !== undefined && Number.isInteger(number) && { port: number }),
        ...(autoport !== undefined && { autoport: autoport === 'yes' }),
        ...(listen !== undefined && { listen }),
        socket: socket !== undefined,
      });
    } else if (tag.path === 'domain/devices/graphics/listen' && found.length > 0) {
      const graphics = found[found.length - 1];
      const { type, address, socket } = tag.attributes;
      if (type === 'socket' || socket !== undefined) graphics.socket = true;
      else if (graphics.listen === undefined && address !== undefined) graphics.listen = address;
    }
  }
  return found;
}

/**
 * The address to reach a VNC server listening on `listen`, as the VM host sees it: the
 * wildcards are reached on loopback (0.0.0.0 → 127.0.0.1, :: → ::1); no address at all is
 * QEMU's default, 127.0.0.1.
 */
export function reachableAddress(listen: string | undefined): string {
  if (listen === undefined || listen === '' || listen === '0.0.0.0') return '127.0.0.1';
  if (listen === '::' || listen === '[::]') return '::1';
  return listen.replace(/^\[|\]$/g, '');
}

/** A running domain's console: its first VNC display on TCP, else what it has instead. */
export function displayOf(graphics: readonly GraphicsElement[]): VmDisplay {
  const vnc = graphics.filter((g) => g.type === 'vnc');
  const tcp = vnc.find((g) => g.port !== undefined && g.port > 0 && !g.socket);
  if (tcp) {
    const listen = tcp.listen || '127.0.0.1';
    return { kind: 'vnc', host: reachableAddress(tcp.listen), port: tcp.port!, listen };
  }
  if (vnc.length > 0) return { kind: 'vnc-socket' };
  if (graphics.some((g) => g.type === 'spice')) return { kind: 'spice' };
  return { kind: 'none' };
}
