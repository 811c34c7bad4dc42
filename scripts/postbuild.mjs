// npm marks bin files executable when it links them, but a plain `npm run build`
// in a clone does not; keep `./dist/src/cli.js` runnable either way.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/src/cli.js', import.meta.url), 0o755);
