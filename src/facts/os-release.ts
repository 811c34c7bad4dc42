/**
 * os-release(5) parser. The file is a list of shell variable assignments meant to be `source`d, so
 * values follow (a subset of) shell quoting: "double" (backslash escapes \" \\ \$ \`), 'single'
 * (literal), bare words with backslash escapes, and adjacent pieces concatenated. We never source
 * it: a remote host's file must not be able to run code here.
 */
export interface OsRelease {
  /** os-release ID, lower-case (ubuntu, debian, rhel, amzn, opensuse-leap, arch, alpine, …). */
  id: string;
  /** os-release ID_LIKE split on spaces, in order. */
  idLike: string[];
  versionId?: string;
  versionCodename?: string;
  ubuntuCodename?: string;
  /** DEBIAN_CODENAME (set by LMDE and some Debian derivatives). */
  debianCodename?: string;
  name?: string;
  prettyName?: string;
  /** Every key as read, for anything not lifted into a field. */
  raw: Record<string, string>;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Characters a backslash escapes inside double quotes (POSIX); elsewhere the backslash stays. */
const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/** Read one shell word from the right-hand side of an assignment; stops at unquoted whitespace. */
export function unquoteShellValue(input: string): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === ' ' || ch === '\t') break; // anything after is a trailing comment or junk
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      const stop = end === -1 ? input.length : end;
      out += input.slice(i + 1, stop);
      i = stop + 1;
    } else if (ch === '"') {
      i++;
      while (i < input.length && input[i] !== '"') {
        const c = input[i]!;
        const next = input[i + 1];
        if (c === '\\' && next !== undefined && DOUBLE_QUOTE_ESCAPABLE.has(next)) {
          out += next;
          i += 2;
        } else {
          out += c;
          i++;
        }
      }
      i++; // closing quote (or past the end when unterminated)
    } else if (ch === '\\') {
      const next = input[i + 1];
      if (next !== undefined) out += next;
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Every assignment in the file, in order; later duplicates win (as when sourced). */
export function parseOsReleaseVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) continue; // os-release(5): lines that are not assignments are ignored
    vars[m[1]!] = unquoteShellValue(m[2]!);
  }
  return vars;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function parseOsRelease(text: string): OsRelease {
  const raw = parseOsReleaseVars(text);
  return {
    // os-release(5) defaults ID to "linux" when absent.
    id: (nonEmpty(raw.ID) ?? 'linux').toLowerCase(),
    idLike: (raw.ID_LIKE ?? '').split(/\s+/).filter(Boolean).map((s) => s.toLowerCase()),
    versionId: nonEmpty(raw.VERSION_ID),
    versionCodename: nonEmpty(raw.VERSION_CODENAME),
    ubuntuCodename: nonEmpty(raw.UBUNTU_CODENAME),
    debianCodename: nonEmpty(raw.DEBIAN_CODENAME),
    name: nonEmpty(raw.NAME),
    prettyName: nonEmpty(raw.PRETTY_NAME),
    raw,
  };
}
