import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

/**
 * The package root (where playbooks/ and checks/ live), found by walking up from this module
 * so it works from src/ under vitest and from dist/src/ after the build.
 */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'playbooks'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('dockhand: cannot find the package root (package.json + playbooks/)');
    dir = up;
  }
})();

export const playbooksDir = join(packageRoot, 'playbooks');
export const checksDir = join(packageRoot, 'checks');
/** The probe scripts (probes/*.sh) dockhand runs on hosts to learn about them. */
export const probesDir = join(packageRoot, 'probes');
