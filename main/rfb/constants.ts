import type { EncodingName } from '../../shared/encodings.ts';

/** Encoding numbers (RFC 6143 §7.7, §7.8; rfbproto "Encodings"). */
export const Encoding = {
  Raw: 0,
  CopyRect: 1,
  RRE: 2,
  CoRRE: 4,
  Hextile: 5,
  Zlib: 6,
  Tight: 7,
  TRLE: 15,
  ZRLE: 16,
  DesktopSize: -223,
  LastRect: -224,
  Cursor: -239,
  DesktopName: -307,
  ExtendedDesktopSize: -308,
  Fence: -312,
  ContinuousUpdates: -313,
  CursorWithAlpha: -314,
  ExtendedMouseButtons: -316,
  QemuPointerMotionChange: -257,
  QemuExtendedKeyEvent: -258,
  TightPng: -260,
  QemuLedState: -261,
  /** VMware display-mode change ("WMVi"): a new framebuffer size and pixel format. */
  VmwareDisplayModeChange: 0x574d5669,
} as const;

/** The number of each encoding a user may name (shared/encodings.ts). */
export const ENCODING_NUMBERS: Record<EncodingName, number> = {
  raw: Encoding.Raw,
  copyrect: Encoding.CopyRect,
  rre: Encoding.RRE,
  corre: Encoding.CoRRE,
  hextile: Encoding.Hextile,
  zlib: Encoding.Zlib,
  tight: Encoding.Tight,
  tightpng: Encoding.TightPng,
  trle: Encoding.TRLE,
  zrle: Encoding.ZRLE,
};

export function encodingNumbers(names: readonly EncodingName[]): number[] {
  return names.map((name) => ENCODING_NUMBERS[name]);
}

export function encodingName(encoding: number): string {
  for (const [name, value] of Object.entries(ENCODING_NUMBERS)) if (value === encoding) return name;
  for (const [name, value] of Object.entries(Encoding)) if (value === encoding) return name;
  return `encoding ${encoding} (0x${(encoding >>> 0).toString(16)})`;
}

/**
 * The order used when the user does not choose: compact lossless first, CopyRect for scrolling.
 * Tight stays lossless: the viewer sends no JPEG quality level.
 */
export const DEFAULT_ENCODINGS = [
  Encoding.CopyRect,
  Encoding.ZRLE,
  Encoding.Tight,
  Encoding.TRLE,
  Encoding.Hextile,
  Encoding.Zlib,
  Encoding.CoRRE,
  Encoding.RRE,
  Encoding.Raw,
];

/**
 * Pseudo-encodings the viewer always asks for (RFC 6143 §7.8; rfbproto). Cursor With Alpha
 * comes before Cursor: a server that has both uses the first it finds.
 */
export const VIEWER_PSEUDO_ENCODINGS = [
  Encoding.DesktopSize,
  Encoding.ExtendedDesktopSize,
  Encoding.LastRect,
  Encoding.CursorWithAlpha,
  Encoding.Cursor,
  Encoding.DesktopName,
  Encoding.QemuExtendedKeyEvent,
  Encoding.Fence,
  Encoding.ContinuousUpdates,
  Encoding.VmwareDisplayModeChange,
  Encoding.QemuLedState,
  Encoding.QemuPointerMotionChange,
  Encoding.ExtendedMouseButtons,
];

export const ClientMessage = {
  SetPixelFormat: 0,
  SetEncodings: 2,
  FramebufferUpdateRequest: 3,
  KeyEvent: 4,
  PointerEvent: 5,
  ClientCutText: 6,
  EnableContinuousUpdates: 150,
  Fence: 248,
  SetDesktopSize: 251,
  /** QEMU's client messages; submessage 0 is Extended Key Event. */
  Qemu: 255,
} as const;

export const ServerMessage = {
  FramebufferUpdate: 0,
  SetColourMapEntries: 1,
  Bell: 2,
  ServerCutText: 3,
  EndOfContinuousUpdates: 150,
  Fence: 248,
} as const;

/** Security type numbers and names live in shared/ (the viewer shows them too). */
export { SecurityType, securityTypeName } from '../../shared/security-types.ts';
