/**
 * Issue 15: the plain local doctor runs without the parser (src/plain-doctor.ts). The options object
 * it hands the doctor command must be the one yargs hands it through the real command line
 * (src/cli.ts), for every combination of the allowed flags, in either order, with and without the
 * word `doctor`; everything else must be left to the parser.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { doctorCommand } from '../../src/commands/doctor.js';
import { ExitCode } from '../../src/core/errors.js';
import { isPlainLocalDoctor, PLAIN_DOCTOR_FLAGS } from '../../src/doctor/early.js';
import { plainDoctorArgs } from '../../src/plain-doctor.js';

const run = vi.spyOn(doctorCommand, 'run').mockResolvedValue(ExitCode.ok);
afterAll(() => run.mockRestore());

/** What the real command line hands the doctor command for these arguments. */
async function parsedByYargs(args: string[]): Promise<unknown> {
  run.mockClear();
  await buildCli(args).parseAsync();
  expect(run).toHaveBeenCalledTimes(1);
  return run.mock.calls[0]![0];
}

// Each option: absent, or one of its spellings (the table's flags, grouped by the option they set).
const spellings = Object.values(
  Object.entries(PLAIN_DOCTOR_FLAGS).reduce<Record<string, string[]>>((by, [flag, [option]]) => ({ ...by, [option]: [...(by[option] ?? []), flag] }), {}),
);
const combinations = spellings.reduce<string[][]>((sets, flags) => sets.flatMap((set) => [set, ...flags.map((f) => [...set, f])]), [[]]);

describe('the plain local doctor without the parser', () => {
  it('covers every option of the table, each spelling (json, verbose, color, fix, yes)', () => {
    expect(spellings.map((s) => s.length).sort()).toEqual([1, 1, 2, 2, 2]);
    expect(combinations).toHaveLength(2 * 3 * 3 * 2 * 3);
  });

  // A full parse builds every command (~40 ms): each combination once, in one of three forms in turn.
  it('hands the doctor the options yargs hands it, for every combination, in either order, with and without `doctor`', async () => {
    const forms = [(f: string[]) => f, (f: string[]) => [...f].reverse(), (f: string[]) => ['doctor', ...f]];
    for (const [i, flags] of combinations.entries()) {
      const args = forms[i % forms.length]!(flags);
      expect(isPlainLocalDoctor(args)).toBe(true);
      expect(plainDoctorArgs(args), args.join(' ')).toEqual(await parsedByYargs(args));
    }
  }, 60_000);

  it.each([
    [['--json', '--json']],
    [['--color', '--no-color']],
    [['-v', '--verbose']],
    [['--yes', '-y', '--fix']],
    [['--user', 'alice']],
    [['-H', 'web-1']],
    [['--json', 'doctor']],
    [['doctor', 'doctor']],
    [['plan']],
    [['--help']],
    [['doctor', '--help']],
    [['--fix=true']],
    [['--constructor']],
    [['--__proto__']],
  ])('%j is left to the parser', (args) => {
    expect(plainDoctorArgs(args)).toBeUndefined();
  });
});
