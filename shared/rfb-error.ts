/**
 * What kind of failure ended a session; the CLI maps each to an exit code. `identity`: the
 * server's certificate could not be verified (unknown, changed, CA mismatch).
 */
export const ERROR_KINDS = ['network', 'auth', 'protocol', 'timeout', 'usage', 'identity'] as const;
export type RfbErrorKind = (typeof ERROR_KINDS)[number];

export class RfbError extends Error {
  readonly kind: RfbErrorKind;
  /** What the user can try next, appended to the message where it helps. */
  readonly hint: string | undefined;
  /** The message without the hint. */
  readonly detail: string;

  constructor(kind: RfbErrorKind, message: string, hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'RfbError';
    this.kind = kind;
    this.hint = hint;
    this.detail = message;
  }
}

export const protocolError = (message: string, hint?: string) => new RfbError('protocol', message, hint);

/**
 * Text a server chose (refusal and failure reasons) made safe to print: control characters,
 * which could drive the user's terminal, become U+FFFD.
 */
export function serverText(text: string, max = 500): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
