import type { RfbErrorKind } from './rfb-error.ts';

/**
 * Virtual machines of a libvirt host (a *VM host*): what `virsh` says about each domain and
 * where its console is, as the host itself sees it.
 */

/** libvirt's URI for the host's system-wide VMs; `qemu:///session` holds a user's own. */
export const DEFAULT_LIBVIRT_URI = 'qemu:///system';

/** Where a domain's console is, from the `<graphics>` elements of its live XML. */
export type VmDisplay =
  /** A VNC server on `host`:`port` as the VM host sees it (`listen` as libvirt says it). */
  | { kind: 'vnc'; host: string; port: number; listen: string }
  /** VNC on a Unix socket only: no TCP port to reach. */
  | { kind: 'vnc-socket' }
  /** SPICE and no VNC. */
  | { kind: 'spice' }
  /** No graphics at all (a serial console perhaps). */
  | { kind: 'none' }
  /** The domain is not running: its console exists only while it runs. */
  | { kind: 'inactive' };

export interface VirtualMachine {
  name: string;
  /** virsh's words: `running`, `paused`, `shut off`, `crashed`, … */
  state: string;
  display: VmDisplay;
}

/** The prefix of a target that names a libvirt domain: `vm:NAME`. */
export const VM_TARGET_PREFIX = 'vm:';

/** The domain named by a `vm:NAME` target; undefined for any other address. */
export function vmTargetName(target: string): string | undefined {
  const text = target.trim();
  if (!text.toLowerCase().startsWith(VM_TARGET_PREFIX)) return undefined;
  const name = text.slice(VM_TARGET_PREFIX.length);
  // libvirt refuses "/" in names; control characters would reach a shell's terminal.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (!name || name.length > 255 || /[/\u0000-\u001f\u007f]/.test(name))
    throw new Error(`"${target}": a VM is named vm:NAME, with a libvirt domain name`);
  return name;
}

/** How a console is shown: `VNC 127.0.0.1:5901 (display 1)`, `SPICE only`, … */
export function describeDisplay(display: VmDisplay): string {
  switch (display.kind) {
    case 'vnc': {
      const host = display.host.includes(':') ? `[${display.host}]` : display.host;
      const screen = display.port >= 5900 && display.port < 6000 ? ` (display ${display.port - 5900})` : '';
      const listen = display.listen === display.host ? '' : `, listening on ${display.listen}`;
      return `VNC ${host}:${display.port}${screen}${listen}`;
    }
    case 'vnc-socket':
      return 'VNC on a Unix socket only (no TCP port)';
    case 'spice':
      return 'SPICE only (no VNC)';
    case 'none':
      return 'no graphical console';
    case 'inactive':
      return '-';
  }
}

/** What listing a VM host's VMs found: the VMs, or why virsh could not say and what a scan found. */
export interface VmListing {
  /** `alice@kvm1` or `this machine`. */
  host: string;
  uri: string;
  vms?: VirtualMachine[];
  /** Why virsh could not list them (no virsh, no permission, libvirt unreachable). */
  problem?: { kind: RfbErrorKind; message: string; hint?: string };
  /** The VNC servers a scan of ports 5900–5999 found instead, when virsh could not list. */
  scanned?: { port: number; name?: string; width?: number; height?: number }[];
}
