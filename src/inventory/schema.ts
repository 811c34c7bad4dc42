/**
 * The native inventory format (`-i inventory.yaml`), as zod schemas: one source of truth for
 * runtime validation (with field paths for error messages) and for the JSON Schema editors use
 * (schemas/inventory.schema.json, written by `npm run schema`).
 * Every object is strict: a misspelt key is an error, never silently ignored.
 */
import { z } from 'zod';
import { words } from '../data/schema-words.js';
import {
  accountNameProblem,
  DOCKER_VERSION,
  fingerprintProblem,
  hostNameProblem,
  jumpProblem,
  loginUserProblem,
  mirrorProblem,
  releaseNameProblem,
} from '../core/values.js';
import { daemonKeyProblem } from '../core/daemon-values.js';

/** A string checked by one of the value rules (src/core/values.ts): the rule's reason is the error message. */
function checked(rule: (value: string) => string | undefined) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = rule(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** Variables the playbooks read. Shallow precedence: a later layer replaces a whole value (lists too). */
export const playbookVarsShape = {
  os: checked(releaseNameProblem).describe('override the detected os-release ID (e.g. debian, ubuntu)'),
  codename: checked(releaseNameProblem).describe('override the detected release codename (e.g. bookworm)'),
  users: z.array(words(checked(accountNameProblem), { a: 'a user name' })).describe('users to add to the docker group'),
  source: z.enum(['docker', 'distro']).describe("'docker': Docker's own repository; 'distro': the distribution's packages"),
  // A regex (not a refinement) so the JSON Schema carries it as `pattern` for editors.
  docker_version: z
    .string()
    .regex(DOCKER_VERSION, { message: 'not a version: expected 28.1, 28.1.1 or an exact package version such as 5:28.1.1-1~debian.12~bookworm' })
    .describe('Docker Engine version to install: 28.1 or 28.1.1 (newest matching package), or an exact package version such as 5:28.1.1-1~debian.12~bookworm'),
  mirror: checked(mirrorProblem).describe("base URL of a mirror of Docker's repository"),
  channel: z.enum(['stable', 'test']).describe("Docker repository channel"),
  key_fingerprint: checked(fingerprintProblem).describe('expected fingerprint of the repository signing key (for a re-signing mirror)'),
  daemon: z
    .record(checked(daemonKeyProblem), z.unknown())
    .describe('daemon.json settings merged into /etc/docker/daemon.json (objects key by key; null removes a key); a later layer replaces the whole map'),
} as const;

/** How to reach a host; allowed at every level so a group can share a user or a jump host. */
export const connectionShape = {
  user: checked(loginUserProblem).describe('SSH login user'),
  port: z.number().int().min(1).max(65535).describe('SSH port'),
  key: z.string().min(1).describe('SSH identity file (~ is expanded)'),
  jump: checked(jumpProblem).describe('jump host (ProxyJump): [user@]host[:port], a comma-separated chain allowed'),
  connection: z.enum(['ssh', 'local']).describe("'local' runs on this machine without SSH"),
  ssh_config: z.string().min(1).describe('OpenSSH client config read instead of ~/.ssh/config to resolve the host (as ssh -F; ~ is expanded; --ssh-config overrides)'),
} as const;

export const settingsSchema = z.strictObject({ ...connectionShape, ...playbookVarsShape }).partial();

export const hostSchema = settingsSchema.extend({
  address: checked(hostNameProblem).optional().describe('DNS name or IP address to connect to (default: the host name)'),
  groups: z.array(words(z.string().min(1), { a: 'a group name' })).optional().describe('groups this host belongs to (in addition to groups.*.hosts)'),
});

export const groupSchema = z.strictObject({
  hosts: z.array(words(z.string().min(1), { a: 'a host name' })).optional().describe('member hosts (names from `hosts`)'),
  children: z.array(words(z.string().min(1), { a: 'a group name' })).optional().describe('child groups: their hosts are members too'),
  vars: settingsSchema.optional().describe("shared settings; a child group's vars override its parent's"),
});

export const inventorySchema = z
  .strictObject({
    defaults: settingsSchema.optional().describe('settings for every host (lowest precedence)'),
    groups: z.record(z.string().min(1), groupSchema).optional(),
    hosts: words(z.record(z.string().min(1), hostSchema.nullable()).describe('hosts by name; an empty entry means "connect to the name"'), {
      a: 'a map of host names to their settings',
      missing: 'an inventory needs a `hosts:` map',
    }),
  })
  .describe('dockhand inventory');
words(inventorySchema, { missing: 'an inventory needs a `hosts:` map of host names to their settings' });

export type Settings = z.infer<typeof settingsSchema>;
export type HostSettings = z.infer<typeof hostSchema>;
export type GroupDef = z.infer<typeof groupSchema>;
export type NativeInventory = z.infer<typeof inventorySchema>;

export const playbookVarNames = Object.keys(playbookVarsShape) as Array<keyof typeof playbookVarsShape>;

/** The JSON Schema for editors (yaml-language-server, VS Code). */
export function inventoryJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(inventorySchema),
    title: 'dockhand inventory',
  };
}
