import * as v from 'valibot';

/** Building blocks of the contracts' valibot schemas (settings, session messages, control requests). */

/** A string of at most `max` characters. */
export const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** A string of 1 to `max` characters. */
export const nonEmptyText = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** An integer from `min` to `max`. */
export const int = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** A TCP port number. */
export const port = int(1, 65535);

type AnySchema = v.GenericSchema & {
  entries?: Record<string, AnySchema>;
  key?: string;
  options?: AnySchema[];
  wrapped?: AnySchema;
  item?: AnySchema;
  default?: unknown;
  pipe?: unknown[];
};

/**
 * The same schema for input from the other side of a contract: every object strict (an
 * unknown field is an error, not dropped in silence: a typo must not be lost) and no array
 * taken for an object. With `defaults: false` optional fields get no default, so a partial
 * update stays partial down to its nested groups (the store merges it).
 */
export function strictInput<T extends v.GenericSchema>(schema: T, options: { defaults?: boolean } = {}): T {
  return strict(schema as AnySchema, options.defaults ?? true) as unknown as T;
}

function strict(schema: AnySchema, defaults: boolean): v.GenericSchema {
  if (schema.pipe) return schema;
  switch (schema.type) {
    case 'object':
    case 'strict_object':
    case 'loose_object':
      return v.pipe(
        v.custom((value) => !Array.isArray(value), 'must be an object'),
        strictObject(schema, defaults),
      );
    case 'variant':
      return v.variant(
        schema.key!,
        schema.options!.map((option) => strictObject(option, defaults)),
      );
    case 'optional':
      return defaults && schema.default !== undefined
        ? v.optional(strict(schema.wrapped!, defaults), schema.default as never)
        : v.optional(strict(schema.wrapped!, defaults));
    case 'nullable':
      return v.nullable(strict(schema.wrapped!, defaults), schema.default as never);
    case 'array':
      return v.array(strict(schema.item!, defaults));
    default:
      return schema;
  }
}

function strictObject(schema: AnySchema, defaults: boolean) {
  const entries = Object.entries(schema.entries ?? {}).map(([key, entry]) => [key, strict(entry, defaults)]);
  return v.strictObject(Object.fromEntries(entries));
}

/** One line naming the field and what is wrong with it, from valibot's first issue. */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? '';
  const key = issue.path?.at(-1)?.key;
  const parent = issue.path
    ? issue.path
        .slice(0, -1)
        .map((item) => String(item.key))
        .join('.')
    : '';
  if (issue.type === 'strict_object' && issue.expected === 'never')
    return `${parent || 'params'} has an unknown field "${String(key)}"`;
  if (issue.type === 'strict_object' && issue.received === 'undefined' && key !== undefined)
    return `"${path}" is missing`;
  const field = path ? `"${path}"` : 'params';
  switch (issue.type) {
    case 'string':
      return `${field} must be a string`;
    case 'number':
      return `${field} must be a number`;
    case 'boolean':
      return `${field} must be true or false`;
    case 'object':
    case 'strict_object':
      return `${field} must be an object`;
    case 'min_length':
      return issue.requirement === 1
        ? `${field} must not be empty`
        : `${field} is shorter than ${issue.requirement} characters`;
    case 'max_length':
      return `${field} is longer than ${issue.requirement} characters`;
    case 'picklist':
    case 'variant':
    case 'literal':
      return `${field} must be ${issue.expected}`;
    case 'check':
    case 'custom':
      return `${field} ${issue.message}`;
    default:
      return `${field}: ${issue.message}`;
  }
}
