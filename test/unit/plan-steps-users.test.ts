/** The users step: {facts, params} → commands (see test/fixtures/plan/step-table.ts). */
import { stepTable } from '../fixtures/plan/step-table.js';

stepTable('users', [
  {
    name: 'shadow tools: create the group, add the login user',
    release: 'debian-12',
    expect: {
      reason: 'group docker does not exist; not in docker: admin',
      commands: [
        { summary: 'create group docker', lines: ["grep -q '^docker:' /etc/group || groupadd --system docker"] },
        { summary: 'add admin to docker', lines: ["id admin >/dev/null 2>&1 || { echo 'user admin does not exist on this host' >&2; exit 1; }", 'usermod -aG docker admin'] },
      ],
    },
  },
  {
    name: 'busybox (Alpine): addgroup for both',
    release: 'alpine-3.22',
    options: { users: ['ops'] },
    expect: {
      reason: 'group docker does not exist; not in docker: ops',
      commands: [
        { summary: 'create group docker', lines: ["grep -q '^docker:' /etc/group || addgroup -S docker"] },
        { summary: 'add ops to docker', has: ['addgroup ops docker'] },
      ],
    },
  },
  {
    name: 'another group name from the playbook',
    release: 'fedora-42',
    params: { group: 'dockerusers' },
    facts: (f) => void (f.dockerGroup = { exists: true, gid: 990, members: [] }),
    expect: { reason: 'not in dockerusers: admin', commands: [{ summary: 'add admin to dockerusers', has: ['usermod -aG dockerusers admin'] }] },
  },
  {
    name: 'converged: nothing',
    release: 'ubuntu-24.04',
    state: 'converged',
    expect: { reason: 'ok: admin in group docker', commands: [] },
  },
  {
    name: 'only root: the group exists, nobody to add',
    release: 'rhel-9',
    options: { users: ['root'] },
    facts: (f) => void (f.dockerGroup = { exists: true, gid: 990, members: [] }),
    expect: { reason: 'ok: group docker exists; no user to add (root needs none)', commands: [] },
  },
]);
