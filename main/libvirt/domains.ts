import { RfbError } from '../../shared/rfb-error.ts';
import type { Target } from '../../shared/target.ts';
import type { VirtualMachine, VmDisplay } from '../../shared/vm-hosts.ts';
import { displayOf, domainGraphics } from './domain-xml.ts';
import { type Virsh, virshFailure } from './virsh.ts';

/** The most domains listed: far beyond any one host's, so a runaway answer stays bounded. */
const MAX_DOMAINS = 1000;

/** States in which QEMU runs and so serves the console (virsh's words). */
const ACTIVE_STATES = new Set(['running', 'paused', 'idle', 'in shutdown', 'pmsuspended', 'blocked']);

async function virshOutput(virsh: Virsh, uri: string, args: string[]): Promise<string> {
  const result = await virsh.run(['-c', uri, ...args]);
  if (result.code !== 0) throw virshFailure(virsh, uri, result);
  return result.stdout;
}

/** Every domain of `uri`, defined or transient: `virsh list --all --name` prints one name a line. */
export async function domainNames(virsh: Virsh, uri: string): Promise<string[]> {
  const names = (await virshOutput(virsh, uri, ['list', '--all', '--name']))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return names.slice(0, MAX_DOMAINS);
}

/** A domain's console, read from its live XML while it runs. */
async function domainDisplay(virsh: Virsh, uri: string, name: string, state: string): Promise<VmDisplay> {
  if (!ACTIVE_STATES.has(state)) return { kind: 'inactive' };
  return displayOf(domainGraphics(await virshOutput(virsh, uri, ['dumpxml', '--domain', name])));
}

async function domainState(virsh: Virsh, uri: string, name: string): Promise<string> {
  return (await virshOutput(virsh, uri, ['domstate', '--domain', name])).trim().split('\n')[0] ?? '';
}

/** The VMs of a libvirt host with their state and console. Rejects with virsh's failure. */
export async function listDomains(virsh: Virsh, uri: string): Promise<VirtualMachine[]> {
  const machines: VirtualMachine[] = [];
  for (const name of await domainNames(virsh, uri)) {
    const state = await domainState(virsh, uri, name);
    machines.push({ name, state, display: await domainDisplay(virsh, uri, name, state) });
  }
  return machines.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Where domain `name`'s VNC console is now, as the VM host sees it: looked up on every
 * connection, so a console whose autoport changed is found again.
 */
export async function locateConsole(virsh: Virsh, uri: string, name: string): Promise<Target> {
  const result = await virsh.run(['-c', uri, 'domstate', '--domain', name]);
  if (result.code !== 0) {
    if (/failed to get domain|domain not found/i.test(result.stderr)) {
      throw new RfbError(
        'usage',
        `there is no VM "${name}" at ${uri} on ${virsh.where}`,
        '"porthole vms" lists the VMs there',
      );
    }
    throw virshFailure(virsh, uri, result);
  }
  const state = result.stdout.trim().split('\n')[0] ?? '';
  const display = await domainDisplay(virsh, uri, name, state);
  switch (display.kind) {
    case 'vnc':
      return { host: display.host, port: display.port };
    case 'inactive':
      throw new RfbError(
        'network',
        `the VM "${name}" on ${virsh.where} is ${state || 'not running'}`,
        `Start it first (virsh -c ${uri} start ${name})`,
      );
    case 'spice':
      throw new RfbError('usage', `the VM "${name}" has a SPICE console only`, 'Add a VNC display to it');
    case 'vnc-socket':
      throw new RfbError(
        'usage',
        `the VM "${name}" has its VNC console on a Unix socket only`,
        'Give it a VNC display that listens on 127.0.0.1',
      );
    case 'none':
      throw new RfbError('usage', `the VM "${name}" has no graphical console`, 'Add a VNC display to it');
  }
}
