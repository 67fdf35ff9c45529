/**
 * How values cross between Node and the page (Playwright carries JSON-like values only):
 * ArrayBuffers and typed arrays become `{ $binary, base64 }`. Both functions are
 * self-contained, because the page shim carries their source into the page.
 */

export function encodeForWire(value: unknown): unknown {
  const base64 = (bytes: Uint8Array): string => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
    }
    return btoa(text);
  };
  const walk = (v: unknown): unknown => {
    if (v instanceof ArrayBuffer) return { $binary: 'ArrayBuffer', base64: base64(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return { $binary: v.constructor.name, base64: base64(bytes) };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]));
    }
    return v;
  };
  return walk(value);
}

export function decodeFromWire(value: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const record = v as Record<string, unknown>;
    if (typeof record.$binary === 'string' && typeof record.base64 === 'string') {
      const text = atob(record.base64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      if (record.$binary === 'ArrayBuffer') return bytes.buffer;
      if (record.$binary === 'Buffer' || record.$binary === 'Uint8Array') return bytes;
      throw new Error(`the harness carries no ${record.$binary}`);
    }
    return Object.fromEntries(Object.entries(record).map(([k, item]) => [k, walk(item)]));
  };
  return walk(value);
}
