/**
 * Helpers for reading synthesized Terraform arguments. Values are what
 * `stack.toTerraform()` produced: literals, or strings holding `${...}`
 * expressions for anything known only at apply time.
 */

/** True when `value` is (or contains) a Terraform expression, i.e. not known at synth time. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** A string written into the configuration as-is (no `${...}` inside), non-empty. */
export function isLiteralString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !isExpression(value);
}

/** Nested blocks come out as an object or a list of objects depending on the schema; always a list here. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** A list argument as a list of values (a single value becomes a one-element list). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `true` for `true`/`"true"`, `false` for `false`/`"false"`, undefined otherwise (absent or an expression). */
export function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** A number or numeric string as a number; undefined when absent or an expression. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Renders a value for a message: strings quoted, absent as "not set". */
export function show(value: unknown): string {
  if (value === undefined || value === null) return 'not set';
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value);
}
