import { describe, expect, it } from 'vitest';
import { displayOf, domainGraphics } from '../../../main/libvirt/domain-xml.ts';
import { shellQuote, virshFailure } from '../../../main/libvirt/virsh.ts';
import { describeDisplay, vmTargetName } from '../../../shared/vm-hosts.ts';

/** As `virsh dumpxml` prints a running domain (libvirt 9.0), trimmed. */
const RUNNING = `<domain type='qemu' id='1'>
  <name>porthole-vm</name>
  <metadata>
    <app xmlns="http://example.com/app"><graphics type='vnc' port='1234'/></app>
  </metadata>
  <description>&lt;graphics type='vnc' port='4321'/&gt;</description>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <!-- <graphics type='vnc' port='9999'/> -->
    <graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video><model type='vga' vram='16384' heads='1' primary='yes'/></video>
  </devices>
</domain>`;

const graphics = (inner: string) => `<domain type='kvm'><devices>${inner}</devices></domain>`;

describe('the graphics elements of a domain', () => {
  it('takes only domain/devices/graphics: not metadata, text, or comments', () => {
    expect(domainGraphics(RUNNING)).toEqual([
      { type: 'vnc', port: 5901, autoport: true, listen: '127.0.0.1', socket: false },
    ]);
    expect(displayOf(domainGraphics(RUNNING))).toEqual({
      kind: 'vnc',
      host: '127.0.0.1',
      port: 5901,
      listen: '127.0.0.1',
    });
  });

  it('reaches wildcard listens on loopback and takes the address of a <listen> child', () => {
    const of = (xml: string) => displayOf(domainGraphics(graphics(xml)));
    expect(of(`<graphics type="vnc" port="5905" listen="0.0.0.0"/>`)).toMatchObject({
      host: '127.0.0.1',
      listen: '0.0.0.0',
    });
    expect(of(`<graphics type='vnc' port='5902' listen='::'/>`)).toMatchObject({ host: '::1', port: 5902 });
    expect(
      of(`<graphics type='vnc' port='5903'><listen type='address' address='10.0.0.5'/></graphics>`),
    ).toEqual({
      kind: 'vnc',
      host: '10.0.0.5',
      port: 5903,
      listen: '10.0.0.5',
    });
    expect(of(`<graphics type='vnc' port='5904'/>`)).toMatchObject({ host: '127.0.0.1' });
  });

  it('tells SPICE only, a Unix socket, no graphics; takes VNC beside SPICE', () => {
    const of = (xml: string) => displayOf(domainGraphics(graphics(xml)));
    expect(of(`<graphics type='spice' port='5930' autoport='yes'/>`)).toEqual({ kind: 'spice' });
    expect(of(`<graphics type='vnc' socket='/run/vnc.sock'/>`)).toEqual({ kind: 'vnc-socket' });
    expect(of(`<graphics type='vnc'><listen type='socket' socket='/x'/></graphics>`)).toEqual({
      kind: 'vnc-socket',
    });
    expect(of('<serial type="pty"/>')).toEqual({ kind: 'none' });
    expect(of(`<graphics type='spice' port='5930'/><graphics type='vnc' port='5931'/>`)).toMatchObject({
      kind: 'vnc',
      port: 5931,
    });
    expect(describeDisplay({ kind: 'spice' })).toBe('SPICE only (no VNC)');
  });

  it('ends quietly on malformed or hostile XML', () => {
    expect(domainGraphics('<domain><devices><graphics type="vnc" port="5900"')).toEqual([]);
    expect(domainGraphics(`<domain><devices></domain><graphics type='vnc' port='1'/>`)).toEqual([]);
    expect(domainGraphics('<'.repeat(100_000))).toEqual([]);
    expect(domainGraphics(graphics(`<graphics type='vnc' port='&#0;'/>`))).toEqual([
      { type: 'vnc', socket: false },
    ]);
  });
});

describe('virsh runs and targets', () => {
  it('quotes words for the remote shell', () => {
    expect(shellQuote("it's $(rm -rf ~)")).toBe(`'it'\\''s $(rm -rf ~)'`);
  });

  it('names what a failure means', () => {
    const virsh = { where: 'alice@kvm1', run: async () => ({ code: 0, stdout: '', stderr: '' }) };
    const fail = (code: number, stderr: string) =>
      virshFailure(virsh, 'qemu:///system', { code, stdout: '', stderr });
    expect(fail(127, "env: 'virsh': No such file or directory")).toMatchObject({ kind: 'protocol' });
    expect(
      fail(
        1,
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n",
      ),
    ).toMatchObject({ kind: 'auth', detail: expect.stringContaining('alice@kvm1 may not use libvirt') });
    expect(
      fail(
        1,
        "error: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'",
      ),
    ).toMatchObject({ kind: 'auth' });
    expect(
      fail(
        1,
        "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
      ),
    ).toMatchObject({ kind: 'network' });
  });

  it('reads vm:NAME targets', () => {
    expect(vmTargetName('vm:web-1')).toBe('web-1');
    expect(vmTargetName('VM:Win 11')).toBe('Win 11');
    expect(vmTargetName('host:1')).toBeUndefined();
    expect(() => vmTargetName('vm:')).toThrow(/vm:NAME/);
    expect(() => vmTargetName('vm:a/b')).toThrow();
  });
});
