// `npm pack`/`npm publish`: the packed package.json carries no `prepare` script. It never runs for
// someone installing the package (only in a checkout: it builds dist/), but npm 11 lists it at every
// `npm install -g` as "install scripts not yet covered by allowScripts" — noise users would have to
// learn to ignore. prepack strips it (keeping the original beside it), postpack puts the original back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const saved = new URL('../package.json.prepack', import.meta.url);

if (process.argv[2] === 'strip') {
  if (existsSync(saved)) renameSync(saved, manifest); // an earlier pack stopped before postpack
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (process.argv[2] === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  throw new Error('usage: pack-manifest.mjs strip|restore');
}
