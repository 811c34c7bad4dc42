/**
 * dockhand's benchmark: each dockhand command is timed against a raw baseline measured in the same
 * run on the same machine, and reported as a ratio (absolute times depend on the machine).
 *
 *   npm run bench
 *
 * - local doctor / local facts  vs  bare Node start-up (`node -e 0`): what dockhand adds on top of
 *   the runtime it cannot avoid.
 * - facts / plan over SSH to a real OpenSSH server on loopback  vs  one raw OpenSSH command
 *   (`ssh host true`): what one round trip of facts, and a whole plan, cost over a bare login.
 *
 * Nothing here changes the machine: the sshd runs from a temp dir on a free loopback port.
 */
import { fileURLToPath } from 'node:url';
import { startSshd, tempKnownHosts } from '../test/harness/sshd.js';
import { ratioLine, timeCommand, type Sample } from './measure.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 15);

interface Row {
  subject: Sample;
  baseline: Sample;
}

async function main() {
  const rows: Row[] = [];
  const bareNode = timeCommand('node -e 0', [node, '-e', '0'], { runs });

  // The doctor exits 1 when it finds problems and 3 when it cannot check; both are valid outcomes here.
  rows.push({ subject: timeCommand('dockhand doctor (local)', [node, cli, 'doctor', '--json'], { runs, okCodes: [0, 1, 3] }), baseline: bareNode });
  rows.push({ subject: timeCommand('dockhand facts (local)', [node, cli, 'facts', '--json'], { runs }), baseline: bareNode });

  const sshd = await startSshd();
  const known = tempKnownHosts([sshd.knownHostsLine()]);
  try {
    const target = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const sshOpts = ['--known-hosts', known.file, '--identity-file', sshd.clientKeyPath];
    const rawSsh = timeCommand(
      'ssh true (OpenSSH, one command)',
      ['ssh', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${known.file}`, '-o', 'StrictHostKeyChecking=yes',
        '-i', sshd.clientKeyPath, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'true'],
      { runs },
    );
    rows.push({ subject: timeCommand('dockhand facts over SSH', [node, cli, 'facts', '-H', target, ...sshOpts, '--json'], { runs }), baseline: rawSsh });
    rows.push({ subject: timeCommand('dockhand plan over SSH', [node, cli, 'plan', '-H', target, ...sshOpts, '--json'], { runs, okCodes: [0, 2] }), baseline: rawSsh });
  } finally {
    known.cleanup();
    await sshd.stop();
  }

  process.stdout.write(`dockhand benchmark (${runs} runs each, medians)\n`);
  for (const r of rows) process.stdout.write(`  ${ratioLine(r.subject, r.baseline)}\n`);
  if (process.env.BENCH_JSON) {
    process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r, ratio: r.subject.medianMs / r.baseline.medianMs }))) + '\n');
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
