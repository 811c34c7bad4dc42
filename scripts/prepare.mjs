// `npm install` in a checkout runs `prepare`: build, so that `npx dockhand` works right after it.
// `npm pack`/`npm publish` run `prepack` (the build) and then `prepare` too: skip the second build.
import { spawnSync } from 'node:child_process';

if (!['pack', 'publish'].includes(process.env.npm_command ?? '')) {
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
