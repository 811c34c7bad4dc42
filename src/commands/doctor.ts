import type { CommandModule } from 'yargs';

export const doctorCommand: CommandModule = {
  command: ['doctor', '$0'],
  describe: 'find out why Docker is not reachable, explain it, and fix what is safe',
  handler: async () => {},
};
