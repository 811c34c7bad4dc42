/**
 * The YAML-with-schema loader on its own: a schema it has never seen (fields as other features add
 * them) gets plain messages with no code for them; one field-path format; words kept through zod's copies.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldPath, InputProblems, readYaml, validateData, words } from '../../src/data/yaml-schema.js';

function problemsOf(schema: z.ZodType, text: string): string[] {
  const { data, locate } = readYaml(text, 'f.yaml');
  try {
    validateData(schema, data, 'f.yaml', locate);
  } catch (e) {
    expect(e).toBeInstanceOf(InputProblems);
    expect((e as InputProblems).exitCode).toBe(65);
    return (e as InputProblems).message.split('\n');
  }
  throw new Error('expected problems');
}

describe('validateData', () => {
  // As a feature would add them: nothing registered, nothing in the loader knows these names.
  const schema = z.strictObject({
    serial: z.number().int().min(1).optional(),
    rootless: z.boolean().optional(),
    daemon: z.strictObject({ 'log-driver': z.enum(['json-file', 'local']), 'max-size': z.string().min(1) }).optional(),
    hosts: z.record(z.string(), z.strictObject({ tags: z.array(z.string()).optional() })),
  });

  it('new fields get plain messages without code of their own, every one listed, in file order', () => {
    const text = 'serial: 0\nrootless: "yes"\ndaemon:\n  log-drivr: local\n  max-size: ""\nhosts:\n  a:\n    tags: web\n';
    expect(problemsOf(schema, text)).toEqual([
      'f.yaml:1:1: serial: must be a positive whole number, not 0',
      "f.yaml:2:1: rootless: must be `true` or `false`, not 'yes'",
      'f.yaml:4:3: daemon.log-driver: is missing — it must be one of `json-file`, `local` (did you write `log-drivr:`?)',
      'f.yaml:5:3: daemon.max-size: must not be empty',
      "f.yaml:8:5: hosts.a.tags: must be a list of text values, not 'web'",
    ]);
  });

  it('words given to a schema survive .describe() and .optional()', () => {
    const user = words(z.string().regex(/^[a-z]+$/), { a: 'a user name' }).describe('who logs in');
    const s = z.strictObject({ users: z.array(user).optional().describe('users') });
    expect(problemsOf(s, 'users: [ok, Bad]\n')).toEqual(["f.yaml:1:13: users[1]: must be a user name, not 'Bad'"]);
    expect(problemsOf(s, 'users: ok\n')).toEqual(["f.yaml:1:1: users: must be a list of user names, not 'ok'"]);
  });

  it('an empty file says so', () => {
    expect(problemsOf(schema, '')).toEqual(['f.yaml: the file is empty — it must be a map (`key: value` lines)']);
  });
});

describe('readYaml', () => {
  it('lists every syntax error at file:line:col', () => {
    let err: unknown;
    try {
      readYaml('a: 1\na: 2\nb:\n\t- x\n', 'y.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputProblems);
    expect((err as InputProblems).message.split('\n')).toEqual([
      'y.yaml:2:1: invalid YAML: the same key twice in one map',
      'y.yaml:4:1: invalid YAML: a tab in the indentation — YAML indents with spaces only',
    ]);
  });
});

describe('fieldPath', () => {
  it.each([
    [['steps', 3, 'lockTimeoutSeconds'], 'steps[3].lockTimeoutSeconds'],
    [['hosts', 'web-1', 'port'], 'hosts.web-1.port'],
    [['hosts', 'web1.example.com', 'users', 0], 'hosts["web1.example.com"].users[0]'],
    [['hosts', 'web\u001b[2J'], 'hosts["web\\u001b[2J"]'],
    [[], ''],
  ])('%j → %s', (path, expected) => {
    expect(fieldPath(path)).toBe(expected);
  });
});
