import { EXTENDED_CLIPBOARD_ENCODING } from './extended-clipboard.ts';
import { QEMU_AUDIO_ENCODING } from './qemu-audio.ts';
import { XVP_ENCODING } from './xvp.ts';

/** The extensions' pseudo-encodings, listed in every SetEncodings after the viewer's own. */
export const EXTENSION_PSEUDO_ENCODINGS = [EXTENDED_CLIPBOARD_ENCODING, XVP_ENCODING, QEMU_AUDIO_ENCODING];
