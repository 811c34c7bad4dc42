/**
 * `dockhand completion [bash|zsh]`: a shell completion script. Commands and each command's flags are
 * written into the script (from the same definitions --help uses); host and group names come from the
 * inventory named on the command line being completed (-i FILE), asked of dockhand itself at
 * completion time (`dockhand completion --inventory-names FILE`, which reads the file only, connects nowhere).
 * zsh runs the same function through bashcompinit.
 */
import type { Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import { ExitCode } from '../core/errors.js';
import { writeText } from '../core/output.js';

interface CompletionArgs {
  shell?: 'bash' | 'zsh';
  'inventory-names'?: string;
}

/** Each command's flags (long and short, without dashes). */
export type FlagTable = ReadonlyArray<readonly [command: string, flags: readonly string[]]>;

const FILE_FLAGS = ['-i', '--inventory', '-o', '--output', '-F', '--ssh-config', '--known-hosts', '--identity-file', '--key', '--report'];
const NAME_FLAGS = ['-l', '--limit', '-H', '--host'];

export function completionScript(shell: 'bash' | 'zsh', table: FlagTable): string {
  const dash = (f: string) => (f.length === 1 ? `-${f}` : `--${f}`);
  const cases = table.map(([c, flags]) => `    ${c}) flags='${flags.map(dash).join(' ')}' ;;`).join('\n');
  const fn = `_dockhand() {
  local cur prev cmd inv i flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ] && [[ "$cur" != -* ]]; then
    COMPREPLY=( $(compgen -W '${table.map(([c]) => c).join(' ')}' -- "$cur") )
    return
  fi
  cmd=doctor
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -i|--inventory) inv="\${COMP_WORDS[i+1]}" ;;
      --inventory=*) inv="\${COMP_WORDS[i]#--inventory=}" ;;
    esac
  done
  [[ "\${COMP_WORDS[1]}" != -* ]] && cmd="\${COMP_WORDS[1]}"
  case "$prev" in
    ${FILE_FLAGS.join('|')})
      COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    ${NAME_FLAGS.join('|')})
      if [ -n "$inv" ]; then
        COMPREPLY=( $(compgen -W "$(dockhand completion --inventory-names "$inv" 2>/dev/null)" -- "$cur") )
      fi
      return ;;
  esac
  case "$cmd" in
${cases}
    *) flags='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [ -n "$inv" ] && [[ "$cmd" == plan || "$cmd" == up ]]; then
    COMPREPLY=( $(compgen -W "$(dockhand completion --inventory-names "$inv" 2>/dev/null)" -- "$cur") )
  fi
}
complete -o default -F _dockhand dockhand
`;
  return shell === 'zsh'
    ? `#compdef dockhand\n# dockhand completion for zsh: eval "$(dockhand completion zsh)" in ~/.zshrc\nautoload -U +X bashcompinit && bashcompinit\n${fn}`
    : `# dockhand completion for bash: eval "$(dockhand completion bash)" in ~/.bashrc\n${fn}`;
}

export function completionCommand(flagTable: () => FlagTable): DockhandCommand<CompletionArgs> {
  return {
    command: 'completion [shell]',
    describe: 'print a shell completion script (bash or zsh): commands, flags, inventory host and group names',
    builder: (y) =>
      (y as Argv<object>)
        .positional('shell', { choices: ['bash', 'zsh'] as const, default: 'bash', describe: 'the shell to complete in' })
        // What the script asks at completion time: the names in an inventory, one a line.
        .option('inventory-names', { type: 'string', hidden: true }) as unknown as Argv<CompletionArgs>,
    examples: [
      ['eval "$($0 completion bash)"', 'complete dockhand in this bash (put it in ~/.bashrc)'],
      ['eval "$($0 completion zsh)"', '…in zsh (~/.zshrc)'],
    ],
    run: async (argv) => {
      if (argv['inventory-names'] !== undefined) {
        const { loadInventory } = await import('../inventory/load.js');
        const hosts = loadInventory(argv['inventory-names']).hosts;
        const names = [...new Set([...hosts.map((h) => h.name), ...hosts.flatMap((h) => h.groups)])];
        writeText(process.stdout, names.map((n) => `${n}\n`).join(''));
        return ExitCode.ok;
      }
      process.stdout.write(completionScript(argv.shell ?? 'bash', flagTable()));
      return ExitCode.ok;
    },
  };
}
