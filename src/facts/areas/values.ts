/** Small readers of the probe's raw values, shared by the areas' parsers. */

/** `yes` → true, `no` → false, anything else → undefined (could not tell). */
export const yes = (v: string | undefined): boolean | undefined => (v === 'yes' ? true : v === 'no' ? false : undefined);

/** The value trimmed, or undefined when there is nothing in it. */
export const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

export function parseIntOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** Only the entries named: a host can report more than was asked, never add to what is used. */
export function pick<T>(all: Record<string, T>, names: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}
