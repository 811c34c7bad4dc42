/**
 * Bad input files in plain words (issue 14) through the one YAML-with-schema loader (issue 13):
 * every problem of a file listed as file:line:col: field.path: message, in the same field-path
 * format for inventories, playbooks and check declarations, and none of the validation library's
 * own wording. The fixtures are real files in test/fixtures/bad-input/, read by the public loaders.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { InputProblems } from '../../src/data/yaml-schema.js';
import { parseDeclarations } from '../../src/doctor/declarations.js';
import { loadInventory } from '../../src/inventory/load.js';
import { loadPlaybookFile } from '../../src/playbook/load.js';

const dir = 'test/fixtures/bad-input';

async function messageOf(load: () => unknown): Promise<InputError> {
  try {
    await load();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

/** zod's wording, and the old loaders' (one problem and a count of the rest). */
const OLD_WORDING = /Invalid input|Invalid option|Invalid string|Invalid discriminator|expected record|expected array|expected number|received undefined|received string|Too small|Too big|Unrecognized key|more problems?\)|unknown field '|YAML syntax/;

const cases: Array<[string, () => unknown, string[]]> = [
  [
    'an inventory with five mistakes',
    () => loadInventory(`${dir}/inventory-many.yaml`),
    [
      `${dir}/inventory-many.yaml:4:3: defaults.prot: unknown key — did you mean \`port\`?`,
      `${dir}/inventory-many.yaml:5:3: defaults.users: must be a list of user names, not 'deploy'`,
      `${dir}/inventory-many.yaml:8:5: hosts.web-1.port: must be a whole number between 1 and 65535, not 70000`,
      `${dir}/inventory-many.yaml:9:5: hosts.web-1.channel: must be one of \`stable\`, \`test\`, not 'stabel' — did you mean \`stable\`?`,
      `${dir}/inventory-many.yaml:11:5: hosts.db-1.adress: unknown key — did you mean \`address\`?`,
    ],
  ],
  [
    'an inventory that says host: for hosts:',
    () => loadInventory(`${dir}/inventory-host.yaml`),
    [`${dir}/inventory-host.yaml:1:1: hosts: is missing — an inventory needs a \`hosts:\` map (did you write \`host:\`?)`],
  ],
  [
    'an Ansible INI inventory (its own variable names)',
    () => loadInventory(`${dir}/ansible.ini`),
    [
      `${dir}/ansible.ini:2: ansible_user: user name '-oProxyCommand=x' starts with '-'`,
      `${dir}/ansible.ini:2: ansible_port: must be a whole number between 1 and 65535, not 'ssh'`,
    ],
  ],
  [
    'an Ansible YAML inventory with a misspelt group key',
    () => loadInventory(`${dir}/ansible-groups.yaml`),
    [`${dir}/ansible-groups.yaml:2:3: all.chidren: unknown key — did you mean \`children\`?`],
  ],
  [
    'bad YAML syntax',
    () => loadInventory(`${dir}/syntax.yaml`),
    [`${dir}/syntax.yaml:3:3: invalid YAML: an unclosed \`{\` above — a map written inline must end with \`}\``],
  ],
  [
    'aliases that expand without bound (a "billion laughs" file): refused as bad input, not a crash',
    () => loadInventory(`${dir}/alias-bomb.yaml`),
    [`${dir}/alias-bomb.yaml: invalid YAML: too many alias references (\`*name\`) — a file that expands this much is refused`],
  ],
  [
    'a playbook with four mistakes',
    () => loadPlaybookFile(`${dir}/broken.yaml`),
    [
      `${dir}/broken.yaml:5:3: match.ids: must be a list of lower-case names (letters, digits, . _ + -), not 'debian'`,
      `${dir}/broken.yaml:11:7: sources.distro.packages.engine: must be a lower-case name (letters, digits, . _ + -), not 'Docker.io'`,
      `${dir}/broken.yaml:14:5: steps[0].lockTimeoutSecond: unknown key — did you mean \`lockTimeoutSeconds\`?`,
      `${dir}/broken.yaml:15:5: steps[1].step: must be one of \`wait-ready\`, \`prerequisites\`, \`remove-conflicts\`, \`repository\`, \`packages\`, \`storage\`, \`users\`, \`services\`, \`verify\`, not 'pakages' — did you mean \`packages\`?`,
    ],
  ],
  [
    'check declarations with three mistakes',
    () => parseDeclarations(readFileSync(`${dir}/checks-many.yaml`, 'utf8'), `${dir}/checks-many.yaml`),
    [
      `${dir}/checks-many.yaml:2:5: checks[0].id: must be a dotted kebab-case id like \`socket.permission\`, not 'Daemon_Running'`,
      `${dir}/checks-many.yaml:4:5: checks[0].severity: must be one of \`error\`, \`warning\`, \`info\`, not 'fatal'`,
      `${dir}/checks-many.yaml:6:5: checks[0].explanation: is missing — it must be text (did you write \`explantion:\`?)`,
    ],
  ],
];

describe('bad input files: every problem, in plain words', () => {
  it.each(cases)('%s', async (_what, load, expected) => {
    const err = await messageOf(load);
    expect(err.message.split('\n')).toEqual(expected);
    expect(err.message).not.toMatch(OLD_WORDING);
    expect(err.exitCode).toBe(65);
    if (expected.length > 1) expect((err as InputProblems).problems).toHaveLength(expected.length);
  });
});
