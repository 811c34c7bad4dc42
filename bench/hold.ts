/**
 * Profiling aid: boot test hosts (as the benchmark does; the `docker` image, BENCH_HOLD_IMAGE=base
 * for none), write how to reach them, and keep them until Ctrl-C/SIGTERM. Root only (the e2e harness).
 *
 *   node dist-bench/bench/hold.js [count]     writes the hosts' details to $BENCH_HOLD_OUT (JSON)
 */
import { writeFileSync } from 'node:fs';
import { bootHosts } from '../test/harness/hosts.js';

const count = Number(process.argv[2] ?? 1);
const out = process.env.BENCH_HOLD_OUT ?? 'bench-hosts.json';
const fleet = await bootHosts(
  Array.from({ length: count }, (_, i) => ({ name: `hold${i + 1}`, suite: 'bookworm' as const })),
  { image: (process.env.BENCH_HOLD_IMAGE as 'base' | 'docker' | undefined) ?? 'docker', bootTimeoutMs: 300_000 },
);
writeFileSync(
  out,
  JSON.stringify(
    {
      knownHostsFile: fleet.knownHostsFile,
      clientKeyPath: fleet.clientKeyPath,
      hosts: fleet.hosts.map((h) => ({ name: h.name, address: h.address, sshArgs: h.sshArgs('deploy') })),
    },
    null,
    1,
  ),
);
process.stdout.write(`${count} host(s) up; details in ${out}; Ctrl-C to stop them\n`);
const stop = async () => {
  await fleet.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
