/**
 * XVP (rfbproto "xvp Pseudo-encoding" -309, message type 250 both ways): power control of
 * the machine behind the server. Every message is 4 bytes: type 250, padding, version 1, code.
 * The server answers the pseudo-encoding with XVP_INIT when it allows power control.
 */
export const XVP_ENCODING = -309;
export const XVP_MESSAGE = 250;
export const XVP_MESSAGE_LENGTH = 4;
export const XVP_VERSION = 1;

export const XvpCode = { Fail: 0, Init: 1, Shutdown: 2, Reboot: 3, Reset: 4 } as const;

import type { PowerAction } from '../../../shared/session-protocol.ts';

export type { PowerAction };
export const POWER_ACTIONS: readonly PowerAction[] = ['shutdown', 'reboot', 'reset'];

const ACTION_CODE: Record<PowerAction, number> = {
  shutdown: XvpCode.Shutdown,
  reboot: XvpCode.Reboot,
  reset: XvpCode.Reset,
};

export function buildXvp(action: PowerAction): Uint8Array {
  return Uint8Array.of(XVP_MESSAGE, 0, XVP_VERSION, ACTION_CODE[action]);
}

export type XvpServerMessage = { kind: 'init'; version: number } | { kind: 'fail'; version: number };

/** Parses the server's 4-byte XVP message; undefined for a code a server must not send. */
export function parseXvp(bytes: Uint8Array): XvpServerMessage | undefined {
  const version = bytes[2];
  if (bytes[3] === XvpCode.Init) return { kind: 'init', version };
  if (bytes[3] === XvpCode.Fail) return { kind: 'fail', version };
  return undefined;
}

/** What the status line says when the server refused an action. */
export function powerFailureText(action: PowerAction | undefined): string {
  const what = { shutdown: 'shut down', reboot: 'reboot', reset: 'reset' } as const;
  return action ? `the server refused to ${what[action]} the machine` : 'the server refused the power action';
}
