/**
 * `up --bundle`: the install plan with its network steps replaced — no prerequisites to fetch a key,
 * no repository configured, and the packages step installing from the uploaded bundle: the upload's
 * sha256 checked, every unpacked file checked against SHA256SUMS, then apt installing the bundle's
 * .deb files with no source list and no downloads. Packages already installed are left alone (the
 * Docker ones are moved to the bundle's version). Pure: plan + bundle → plan.
 */
import type { Plan, PlanStep } from '../plan/model.js';
import { script } from '../plan/script.js';
import { rootCommand } from '../plan/steps/result.js';
import { shJoin, shQuote } from '../shell/quote.js';
import type { BundleManifest } from './manifest.js';

/** Where the upload goes (root only, removed after the install). */
export const REMOTE_BUNDLE = '/var/tmp/dockhand-bundle.tar';

const APT = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
// No repository at all: an empty source list and parts directory (in the work directory), so only the
// .deb files named on the command line (absolute paths) and what is installed; nothing to download from.
// Not --no-download: with local .deb files apt then fails ("Pathname to install is not absolute").
const OFFLINE_SOURCES = '-o Dir::Etc::sourcelist="$work/none.list" -o Dir::Etc::sourceparts="$work/none.d"';

export function bundleInstallScript(manifest: BundleManifest, bundleSha256: string): string {
  const wanted = new Set(manifest.install);
  return script(
    'export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1',
    `f=${shQuote(REMOTE_BUNDLE)}`,
    `got=$(sha256sum "$f" | cut -d' ' -f1)`,
    `[ "$got" = ${shQuote(bundleSha256)} ] || { echo "the uploaded bundle's sha256 is $got, expected ${bundleSha256}: refused" >&2; rm -f "$f"; exit 1; }`,
    'work=$(mktemp -d /var/tmp/dockhand-bundle.XXXXXX)',
    `trap 'rm -rf "$work" "$f"' EXIT`,
    'tar -xf "$f" -C "$work" --no-same-owner',
    'cd "$work"',
    'sha256sum -c --strict --quiet SHA256SUMS',
    'debs=',
    // want PACKAGE VERSION FILE DOCKER: add FILE unless installed at VERSION; an installed dependency at
    // another version stays as it is (only the Docker packages are moved).
    'want() {',
    `  st=$(dpkg-query -W -f='\${Status} \${Version}' "$1" 2>/dev/null || true)`,
    '  case "$st" in *" ok installed $2") return 0 ;; *" ok installed "*) [ "$4" = 1 ] || return 0 ;; esac',
    '  debs="$debs $work/$3"',
    '}',
    ...manifest.packages.map((p) => `want ${shJoin([p.package, p.version, p.file, wanted.has(p.package) ? '1' : '0'])}`),
    ': > "$work/none.list"',
    'mkdir "$work/none.d"',
    `if [ -n "$debs" ]; then ${shJoin(APT)} ${OFFLINE_SOURCES} install -y --allow-downgrades --allow-change-held-packages $debs; fi`,
    manifest.hold.length ? `apt-mark hold ${shJoin(manifest.hold)}` : undefined,
  );
}

const OFFLINE = 'installing from a bundle (no network)';

export function withBundle(plan: Plan, manifest: BundleManifest, bundleSha256: string): Plan {
  const steps = plan.steps.map((s): PlanStep => {
    if (s.id === 'prerequisites' || s.id === 'repository') return { ...s, reason: `ok: not needed: ${OFFLINE}`, commands: [], notes: [] };
    if (s.id !== 'packages' || s.commands.length === 0) return s;
    return {
      ...s,
      commands: [
        rootCommand(
          `install ${manifest.install.join(' ')}${manifest.dockerVersion ? ` at ${manifest.dockerVersion}` : ''} from the bundle (${manifest.packages.length} packages, sha256-checked)`,
          bundleInstallScript(manifest, bundleSha256),
        ),
      ],
      notes: [...s.notes, `uploads the bundle to ${REMOTE_BUNDLE} first; it is removed after the install`],
    };
  });
  return { ...plan, steps };
}
