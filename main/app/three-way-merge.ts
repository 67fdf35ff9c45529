/**
 * Merges an edit made on an older copy (`base` → `ours`) into the current value (`theirs`, which
 * someone else may have changed since `base`): every field only one side changed takes that
 * side's value; a field both changed to different values is a conflict, named by its path.
 * Plain objects merge field by field; anything else (arrays, text, numbers) is one value.
 */
export function mergeEdit<T>(base: T, theirs: T, ours: T): { merged: T; conflicts: string[] } {
  const conflicts: string[] = [];
  const merged = merge(base, theirs, ours, '', conflicts) as T;
  return { merged, conflicts };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, theirs: unknown, ours: unknown, path: string, conflicts: string[]): unknown {
  if (same(ours, base)) return theirs;
  if (same(theirs, base) || same(theirs, ours)) return ours;
  if (isPlainObject(base) && isPlainObject(theirs) && isPlainObject(ours)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
      const value = merge(base[key], theirs[key], ours[key], path ? `${path}.${key}` : key, conflicts);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  conflicts.push(path || '(the whole value)');
  return theirs;
}
