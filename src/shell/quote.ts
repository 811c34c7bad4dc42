/**
 * POSIX shell quoting. Remote hosts run our scripts under `sh -c`, which on Debian/Ubuntu is dash:
 * bash-only forms like zx's `$'…'` are wrong there. Single quotes are the one form every POSIX shell
 * reads literally; a single quote inside is written as '\'' (close, escaped quote, reopen).
 */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('shell arguments cannot contain NUL bytes');
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote each argument and join with spaces: a command line for `sh -c`. */
export function shJoin(args: readonly string[]): string {
  return args.map(shQuote).join(' ');
}

/** Tagged template: interpolated values are quoted, literal parts are kept as written. */
export function sh(strings: TemplateStringsArray, ...values: Array<string | number | readonly string[]>): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += Array.isArray(v) ? shJoin(v as string[]) : shQuote(String(v));
    out += strings[i + 1] ?? '';
  });
  return out;
}
