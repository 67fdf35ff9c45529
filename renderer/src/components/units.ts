/** "312 KiB", "3.0 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** "118 kbit/s", "2.4 Mbit/s" (as Auto's line says it). */
export function formatBitRate(bitsPerSecond: number): string {
  const kbps = bitsPerSecond / 1000;
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}
