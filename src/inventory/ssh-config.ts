/**
 * Hosts named in an OpenSSH client config: every `Host` alias without wildcards or negation.
 * Only the names are read here; what they resolve to (HostName, User, Port, ProxyJump, Match blocks)
 * stays with the SSH transport, which asks `ssh -G <alias>` like ssh itself would.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, basename } from 'node:path';
import { globToRegExp } from './limit.js';
import type { HostEntry } from './types.js';

export const defaultSshConfig = (): string => join(homedir(), '.ssh', 'config');

export function sshConfigAliases(file: string = defaultSshConfig(), seen = new Set<string>()): string[] {
  if (seen.has(file) || !existsSync(file)) return [];
  seen.add(file);
  const aliases: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(\w+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(raw);
    if (!m || raw.trimStart().startsWith('#')) continue;
    const keyword = m[1]!.toLowerCase();
    const words = (m[2] ?? '').split(/\s+/).filter(Boolean).map((w) => w.replace(/^"(.*)"$/, '$1'));
    if (keyword === 'host') {
      for (const w of words) if (!/[*?!]/.test(w) && !aliases.includes(w)) aliases.push(w);
    } else if (keyword === 'include') {
      for (const pattern of words) {
        for (const included of expandInclude(pattern, file)) {
          for (const a of sshConfigAliases(included, seen)) if (!aliases.includes(a)) aliases.push(a);
        }
      }
    }
  }
  return aliases;
}

/** `Include` paths are relative to ~/.ssh; a `*` in the last component is a glob. */
function expandInclude(pattern: string, from: string): string[] {
  const expanded = pattern.startsWith('~/') ? join(homedir(), pattern.slice(2)) : pattern;
  const path = isAbsolute(expanded) ? expanded : join(dirname(from), expanded);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const re = globToRegExp(name);
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
}

/**
 * A host known only by its ssh config alias: connection details come from `ssh -G`, reading
 * `configFile` when the alias came from a file other than ~/.ssh/config (`-i ssh:FILE`).
 */
export function sshAliasEntry(alias: string, configFile?: string): HostEntry {
  const spec: HostEntry['spec'] = { name: alias, kind: 'ssh', host: alias };
  if (configFile !== undefined && configFile !== defaultSshConfig()) spec.sshConfigFile = configFile;
  return { name: alias, spec, groups: [], vars: {} };
}
