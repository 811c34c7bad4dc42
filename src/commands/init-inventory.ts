/**
 * The starter inventory `dockhand init` writes: valid against the inventory schema as written (the
 * test loads it), every optional setting present as a comment saying what it does. Pure: targets
 * and aliases in, YAML text out.
 */
import type { TargetSpec } from '../model/types.js';

export interface StarterInput {
  /** Parsed -H targets (ssh ones; `local` becomes a local host entry). */
  targets: readonly TargetSpec[];
  /** Host aliases from an OpenSSH config (--from-ssh-config). */
  sshAliases: readonly string[];
  /** The config the aliases came from, when it is not ~/.ssh/config. */
  sshConfigFile?: string;
}

/** A YAML scalar: plain when it is plainly a name, else a JSON string (valid YAML double-quoted). */
const scalar = (s: string) => (/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/^[0-9.]+$/.test(s) ? s : JSON.stringify(s));

function hostLines(input: StarterInput): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const t of input.targets) {
    const name = t.kind === 'local' ? 'this-machine' : t.host!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (t.kind === 'local') {
      lines.push(`  ${name}:`, '    connection: local');
      continue;
    }
    const fields = [t.user !== undefined && `user: ${scalar(t.user)}`, t.port !== undefined && `port: ${t.port}`].filter(Boolean);
    lines.push(fields.length ? `  ${scalar(name)}: { ${fields.join(', ')} }` : `  ${scalar(name)}:`);
  }
  for (const alias of input.sshAliases) {
    if (seen.has(alias)) continue;
    seen.add(alias);
    // Connection details stay in the SSH config (`ssh -G <alias>`): the entry is the alias alone.
    lines.push(`  ${scalar(alias)}:`);
  }
  return lines;
}

export function starterInventory(input: StarterInput): string {
  const hosts = hostLines(input);
  const names = [...input.targets.map((t) => (t.kind === 'local' ? 'this-machine' : t.host!)), ...input.sshAliases];
  const example = names[0] ?? 'this-machine';
  return [
    '# dockhand inventory, written by `dockhand init`. Every key: schemas/inventory.schema.json;',
    '# the README\'s "Fleet" section. Check it without changing anything:',
    `#   dockhand plan -i inventory.yaml            # or: --limit ${scalar(example)}`,
    '',
    '# Settings for every host (a group\'s vars and a host\'s own settings override them).',
    'defaults:',
    '  # user: admin               # SSH login user (default: as ssh decides: ~/.ssh/config, else you)',
    '  # key: ~/.ssh/id_ed25519    # SSH identity file',
    '  # port: 22                  # SSH port',
    '  # jump: bastion.example     # jump host (ProxyJump), [user@]host[:port]',
    ...(input.sshConfigFile ? [`  ssh_config: ${scalar(input.sshConfigFile)}   # the OpenSSH config these hosts are resolved with`] : []),
    "  source: docker              # 'docker': Docker's own repository; 'distro': the distribution's packages",
    '  # users: [deploy]           # users to add to the docker group (root-equivalent!)',
    '  # docker_version: "28.1"    # install this Engine version and hold it',
    '  # channel: stable           # Docker repository channel: stable or test',
    '  # mirror: https://mirror.example/docker   # a mirror of Docker\'s download site',
    '',
    '# Groups: for --limit, and for settings shared by their hosts.',
    '# groups:',
    '#   web:',
    `#     hosts: [${scalar(example)}]`,
    '#     vars:',
    '#       users: [deploy]',
    '',
    '# Hosts by name; an empty entry connects to the name (through ~/.ssh/config, as ssh does).',
    '# A host\'s own settings: address, user, port, key, jump, connection: local, and the settings above.',
    'hosts:',
    ...(hosts.length ? hosts : ['  this-machine:               # no -H or --from-ssh-config: this machine, to start with', '    connection: local']),
    '',
  ].join('\n');
}
