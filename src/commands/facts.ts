import type { CommandModule } from 'yargs';

// Placeholder: the facts gatherer lands with the foundation work.
export const factsCommand: CommandModule = {
  command: 'facts',
  describe: 'print the facts gathered from each host',
  handler: async () => {
    process.stdout.write('{}\n');
  },
};
