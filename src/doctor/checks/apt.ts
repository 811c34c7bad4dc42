import { basename } from 'node:path';
import { pass, fail, warn, skip, type CheckFn } from './types.js';

/** Docker's apt source files by name: the deb822 file current installs write, and the legacy one-line forms. */
const isSources = (p: string) => basename(p) === 'docker.sources';
const isLegacyList = (p: string) => /^(docker|download_docker_com_linux_.*)\.list$/.test(basename(p));
const SIGNED_BY_CONFLICT = /Conflicting values set for option Signed-By/i;

/**
 * Leftovers of an earlier Docker repository set-up that break or muddle apt: a legacy docker.list
 * next to docker.sources, keys in trusted.gpg.d (trusted for every repository), and apt's own
 * "Conflicting values set for option Signed-By", which makes every apt command fail.
 */
export const aptRepositoryLeftovers: CheckFn = (i) => {
  if (i.facts.packageManager !== 'apt') return skip('not an apt host');
  const src = i.facts.aptSources!;
  const errors = i.client.aptErrors ?? [];
  const present = src.files.filter((f) => f.exists).map((f) => f.path);
  const sources = present.filter(isSources);
  const legacy = present.filter(isLegacyList);
  const conflict = errors.filter((l) => SIGNED_BY_CONFLICT.test(l));
  const ev = [
    present.length ? `Docker apt sources: ${present.join(', ')}` : 'no Docker apt source',
    ...src.legacyKeys.map((k) => `legacy key (trusted for every repository): ${k}`),
    ...errors.map((l) => `apt: ${l}`),
  ];
  // The safe fix moves files aside (reversible) and only when docker.sources is there to replace them.
  const fixable = sources.length > 0 && (legacy.length > 0 || src.legacyKeys.length > 0);
  if (conflict.length) return fail('apt refuses its sources: the Docker repository is declared twice with different keys', ev, { fix: fixable ? undefined : 'manual' });
  if (sources.length && legacy.length) return warn(`a legacy ${basename(legacy[0]!)} next to docker.sources: the Docker repository is declared twice`, ev);
  if (sources.length && src.legacyKeys.length) return warn('a legacy Docker key in trusted.gpg.d is trusted for every repository', ev);
  if (src.legacyKeys.length) return warn('a legacy Docker key in trusted.gpg.d is trusted for every repository', ev, { fix: 'manual' });
  // Positive evidence of health: apt read its sources (apt-cache ran) and named no conflict.
  if (i.client.aptErrors === undefined) return skip('apt-cache did not run: apt could not be asked about its sources');
  return pass(ev);
};

export const checksApt = { aptRepositoryLeftovers };
