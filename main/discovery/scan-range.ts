/**
 * The ports a scan may cover, apart from the scanner itself: Electron's main process checks a
 * request against them and loads the scanner (and with it the RFB engine) only when it scans.
 */

/** The ports a scan covers unless told otherwise: displays 0–99. */
export const DEFAULT_SCAN_PORTS = { from: 5900, to: 5999 } as const;
/** The most ports one scan may cover (`porthole scan --ports`, the viewer's scan). */
export const MAX_SCAN_PORTS = 1024;
