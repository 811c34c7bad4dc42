/**
 * The playbook contract: one YAML file per distribution (family) in playbooks/. A playbook holds DATA
 * only — which os-release IDs and versions it covers, where packages come from, which steps run in
 * which order with which parameters. The step implementations are generic TypeScript per package
 * manager family (src/plan/), so supporting a new distribution is a new YAML file, not new code.
 *
 * Every object is strict: an unknown key (a typo) is an error, reported with file, line and field.
 * `npm run schema` writes schemas/playbook.schema.json from this module for editors.
 */
import { z } from 'zod';
import { words } from '../data/schema-words.js';

const name = words(z.string().regex(/^[a-z0-9][a-z0-9._+-]*$/), {
  a: 'a lower-case name (letters, digits, . _ + -)',
  many: 'lower-case names (letters, digits, . _ + -)',
});
const repoPath = () => words(z.string().regex(/^linux\/[a-z]+$/), { a: 'a path like `linux/ubuntu`' });
/** A 40-hex-digit OpenPGP fingerprint; spaces allowed for readability, removed when used. */
const fingerprint = z
  .string()
  .regex(/^[0-9A-F ]+$/, 'must be upper-case hex digits (spaces allowed)')
  .refine((v) => v.replace(/ /g, '').length === 40, 'must have 40 hex digits (a full fingerprint)');

/** The concrete tool; the family (apt, dnf, zypper, pacman, apk) follows from it. */
export const PackageTool = z.enum(['apt', 'dnf5', 'dnf4', 'yum', 'zypper', 'pacman', 'apk']);
export type PackageTool = z.infer<typeof PackageTool>;

export const VersionEntry = z
  .object({
    version: z.string().min(1).describe('VERSION_ID, or its major part: "9" matches 9.4'),
    codename: name.optional().describe('VERSION_CODENAME; the apt suite'),
    /** Where this version differs from the playbook's defaults. */
    dockerRepo: repoPath().optional().describe('override of sources.docker.repo'),
    packageManager: PackageTool.optional().describe('override of packageManager for this version'),
  })
  .strict();
export type VersionEntry = z.infer<typeof VersionEntry>;

export const Match = z
  .object({
    ids: z.array(name).min(1).describe('os-release IDs this playbook is for'),
    versions: z
      .array(VersionEntry)
      .min(1)
      .optional()
      .describe('supported releases; omitted for rolling distributions (any version)'),
    codenameAliases: z
      .record(name, name)
      .optional()
      .describe("a derivative's own codename → the upstream codename it follows (kali-rolling → trixie)"),
  })
  .strict();

/** Package names by role; a role a source does not have is simply absent. */
export const PackageSet = z
  .object({
    engine: name,
    cli: name.optional(),
    containerd: name.optional(),
    buildx: name.optional(),
    compose: name.optional(),
  })
  .strict();
export type PackageSet = z.infer<typeof PackageSet>;

export const DockerSource = z
  .object({
    repo: repoPath().describe('path under the repository base, e.g. linux/ubuntu'),
    suite: z.enum(['codename', 'version']).describe('apt suite = codename; rpm repos use the major version'),
    keyFingerprint: fingerprint.describe('pinned fingerprint of the repository signing key'),
    conflicts: z.array(name).describe('packages removed before installing (only those installed)'),
    packages: PackageSet,
  })
  .strict();
export type DockerSource = z.infer<typeof DockerSource>;

export const DistroSource = z.object({ packages: PackageSet }).strict();

const seconds = z.number().int().positive();

/** Steps in the order they run; each carries its own typed parameters. */
export const Step = words(z.discriminatedUnion('step', [
  z
    .object({
      step: z.literal('wait-ready'),
      lockTimeoutSeconds: seconds.default(600).describe('longest wait for package locks and cloud-init'),
    })
    .strict(),
  z
    .object({
      step: z.literal('prerequisites'),
      packages: z.array(name).describe('needed to download and verify the repository key'),
    })
    .strict(),
  z.object({ step: z.literal('remove-conflicts') }).strict(),
  z.object({ step: z.literal('repository') }).strict(),
  z.object({ step: z.literal('packages') }).strict(),
  z.object({ step: z.literal('storage'), driver: z.literal('overlay2') }).strict(),
  z.object({ step: z.literal('users'), group: name.default('docker') }).strict(),
  z
    .object({
      step: z.literal('services'),
      services: z.array(name).min(1).describe('started and enabled in this order; the last is docker'),
    })
    .strict(),
  z.object({ step: z.literal('verify') }).strict(),
]), { a: 'a step (a map with `step:` and its parameters)', many: 'steps' });
export type Step = z.infer<typeof Step>;
export type StepId = Step['step'];

const PlaybookFields = {
  $schema: z.string().optional(),
  id: name,
  title: z.string().min(1),
  match: Match,
  packageManager: PackageTool,
  defaultSource: z.enum(['docker', 'distro']),
  sources: z.object({ docker: DockerSource.optional(), distro: DistroSource.optional() }).strict(),
  steps: z.array(Step).min(1),
};

/**
 * A playbook that `extends` another (its family): it states its own id, title and match — which hosts
 * it is for is never inherited — and only what differs. Mappings (sources, sources.docker, packages)
 * merge key by key with the parent's; lists (steps, conflicts, versions) replace the parent's.
 */
export const PlaybookExtension = z
  .object({
    $schema: PlaybookFields.$schema,
    extends: name.describe('id of the playbook this one is based on (its file in the same directory)'),
    id: PlaybookFields.id,
    title: PlaybookFields.title,
    match: PlaybookFields.match,
    packageManager: PackageTool.optional(),
    defaultSource: PlaybookFields.defaultSource.optional(),
    sources: z
      .object({
        docker: DockerSource.extend({ packages: PackageSet.partial() }).partial().optional(),
        distro: DistroSource.extend({ packages: PackageSet.partial() }).partial().optional(),
      })
      .strict()
      .optional(),
    steps: PlaybookFields.steps.optional(),
  })
  .strict();

export const Playbook = z
  .object(PlaybookFields)
  .strict()
  .superRefine((pb, ctx) => {
    if (!pb.sources[pb.defaultSource]) {
      ctx.addIssue({ code: 'custom', path: ['defaultSource'], message: `there is no \`sources.${pb.defaultSource}\` for this default` });
    }
    const seen = new Set<string>();
    pb.steps.forEach((s, i) => {
      if (seen.has(s.step)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'step'], message: `\`${s.step}\` is already a step above — each step runs once` });
      seen.add(s.step);
    });
  });
export type Playbook = z.infer<typeof Playbook>;
export type SourceKind = 'docker' | 'distro';

/** The JSON Schema editors use (schemas/playbook.schema.json): a complete playbook, or one that extends another. */
export function playbookJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(z.union([Playbook, PlaybookExtension]), { io: 'input', unrepresentable: 'any' }), title: 'dockhand playbook' };
}
