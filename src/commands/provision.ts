import type { CommandModule } from 'yargs';

export const planCommand: CommandModule = {
  command: 'plan',
  describe: 'show exactly what `up` would change on each host (dry run)',
  handler: async () => {},
};

export const upCommand: CommandModule = {
  command: 'up',
  describe: 'install and configure Docker on each host',
  handler: async () => {},
};
