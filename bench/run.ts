/**
 * dockhand's benchmark: each dockhand command is timed against a raw baseline measured in the same
 * run on the same machine, and reported as a ratio (absolute times depend on the machine).
 *
 *   npm run bench                      local rows + one real test host
 *   BENCH_FLEET=16 npm run bench       also a converged run of 16 hosts against one (boots 16 hosts)
 *   BENCH_RUNS=15 (default) runs per row; BENCH_OUT=file (default bench/results.json)
 *   BENCH_BEFORE=<other checkout>/dist/src/cli.js   also time that build of dockhand (a `before` column)
 *
 * - `--version` and the local doctor  vs  bare Node start-up (`node -e 0`); the local doctor with the
 *   CPU time of both.
 * - converged `up`, `plan`, `facts` on a real Debian 12 test host (systemd, sshd, Docker installed
 *   and converged; test/harness/hosts.ts, root only)  vs  one raw OpenSSH command doing the same
 *   reads (dpkg-query, systemctl is-active, getent, cat daemon.json).
 * - converged `up` of 16 hosts  vs  the same on one host, and its peak memory (max RSS).
 * - a fresh install (`up --source distro` on a Debian 12 host without Docker)  vs  one raw
 *   `ssh … sudo sh -s` doing the same (apt-get update + install, daemon.json, usermod, enable), once
 *   each on hosts of their own (a fresh host cannot be re-used), with the share of dockhand's run
 *   spent in the steps that run apt-get (from `up --json`'s step timings). BENCH_FRESH=0 skips it;
 *   BENCH_FRESH_FLEET=16 adds a fresh install of 16 hosts at once (wall time, and per host the share spent in apt-get).
 *
 * Nothing here changes this machine beyond what the e2e harness does (throwaway hosts in their own
 * network namespaces, removed at the end). No timing is asserted anywhere: this prints and records.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootHosts, e2eUnavailableReason, type Fleet, type TestHost } from '../test/harness/hosts.js';
import { formatTable, timeInterleaved, type Row, type Timed, type TimeOptions } from './measure.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 15);
const fleetSize = Number(process.env.BENCH_FLEET ?? 0);
const out = process.env.BENCH_OUT ?? join(root, 'bench/results.json');
const before = process.env.BENCH_BEFORE;
const fresh = process.env.BENCH_FRESH !== '0';
/** BENCH_FRESH_FLEET=N (N > 1): a fresh install of N hosts at once, after the one-host one. */
const freshFleet = Number(process.env.BENCH_FRESH_FLEET ?? 0);

/**
 * One row: the floor, this build and (BENCH_BEFORE) the other build, timed in turns with the same
 * options so the machine's load weighs on all alike.
 */
function row(work: string, floor: Timed, label: string, args: string[], opts: TimeOptions, goal: number): Row {
  const commands: Timed[] = [floor, { label, argv: [node, cli, ...args], opts }];
  if (before) commands.push({ label: `${label} (before)`, argv: [node, before, ...args], opts });
  const [f, subject, b] = timeInterleaved(commands, runs);
  return { work, floor: f!, subject: subject!, ...(b ? { before: b } : {}), goal };
}

/** The reads a converged run needs, as one raw OpenSSH command: the floor for up/plan/facts. */
const RAW_PROBE =
  'dpkg-query -W -f "\\${Package} \\${Version}\\n" docker.io containerd runc 2>/dev/null; ' +
  'systemctl is-active docker.service containerd.service; systemctl is-enabled docker.service; ' +
  'getent group docker; id deploy; cat /etc/docker/daemon.json 2>/dev/null; true';

async function main() {
  const rows: Row[] = [];
  const notes: string[] = [];
  const bareNode: Timed = { label: 'node -e 0', argv: [node, '-e', '0'] };
  rows.push(row('`--version`', bareNode, 'dockhand --version', ['--version'], {}, 1.5));
  // The doctor exits 1 when it finds problems and 3 when it cannot check; both are valid outcomes here.
  // With the CPU time of both (GNU time on each, floor included): on a machine with few cores the
  // examination's processes and Node share them, and the CPU a run costs bounds its wall time.
  const doctorRow = row('local doctor', { ...bareNode, opts: { maxRss: true } }, 'dockhand doctor --json', ['doctor', '--json'], { okCodes: [0, 1, 3], maxRss: true }, 3);
  rows.push(doctorRow);
  notes.push(
    `local doctor's CPU time (user + system of it and its processes, median): ${cpuText(doctorRow.subject)} (node -e 0: ${cpuText(doctorRow.floor)}` +
      (doctorRow.before ? `; before: ${cpuText(doctorRow.before)}` : '') +
      `) on ${cpus().length} cores`,
  );

  const unavailable = e2eUnavailableReason();
  if (unavailable) notes.push(`test-host rows skipped: ${unavailable}`);
  else {
    await hostRows(rows, notes);
    if (fresh) {
      const oneHostMs = await freshRow(rows, notes);
      if (freshFleet > 1) await freshFleetRow(rows, notes, oneHostMs);
    }
  }

  const table = formatTable(rows);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadAverage()}`;
  process.stdout.write(`dockhand benchmark, ${new Date().toISOString().slice(0, 16)}Z, ${machine}; medians of ${runs} runs\n\n${table}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, runs, rows: rows.map(jsonRow), notes }, null, 1) + '\n');
  process.stdout.write(`\nwritten: ${out}\n`);
}

async function hostRows(rows: Row[], notes: string[]): Promise<void> {
  if (fleetSize > 1) requireInotifyFor(fleetSize);
  const count = Math.max(1, fleetSize);
  const booted = Date.now();
  const fleet: Fleet = await bootHosts(
    Array.from({ length: count }, (_, i) => ({ name: `bench${i + 1}`, suite: 'bookworm' as const })),
    { image: 'docker', bootTimeoutMs: 300_000 },
  );
  notes.push(`booted ${count} bookworm host(s) in ${((Date.now() - booted) / 1000).toFixed(0)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-bench-'));
  try {
    const env = benchEnv(dir);
    const one = fleet.hosts[0]!;
    const target = (h: TestHost) => `deploy@${h.address}`;
    const keys = ['--known-hosts', fleet.knownHostsFile, '--identity-file', fleet.clientKeyPath];
    const args = (...a: string[]) => [...a, ...keys];

    const up = args('up', '--source', 'distro', target(one));
    // Converge once (the image has docker.io; the first `up` adds the rest), then time re-runs.
    converge(up, env, notes);
    const raw: Timed = { label: 'ssh host <the same reads>', argv: ['ssh', ...one.sshArgs('deploy'), '--', RAW_PROBE], opts: { env } };
    const upOne = row('converged `up`, 1 host', raw, 'dockhand up (converged)', up, { env, maxRss: true }, 1.5);
    rows.push(upOne);
    rows.push(row('`plan`, 1 host', raw, 'dockhand plan', args('plan', '--source', 'distro', target(one)), { env }, 1.5));
    rows.push(row('`facts -H host`', raw, 'dockhand facts', args('facts', '--json', '-H', target(one)), { env }, 1.4));

    if (fleetSize > 1) {
      const inventory = join(dir, 'inv.yaml');
      writeInventory(inventory, fleet);
      const upFleet = args('up', '--source', 'distro', '-i', inventory, '--concurrency', String(fleetSize));
      converge(upFleet, env, notes);
      // The floor is this build's own converged run of one host, timed in the same turns.
      const fleetRow = row(`converged \`up\`, ${fleetSize} hosts`, { label: 'the same on 1 host', argv: [node, cli, ...up], opts: { env } },
        `dockhand up, ${fleetSize} hosts`, upFleet, { env, maxRss: true }, 1.3);
      rows.push(fleetRow);
      // The test hosts share this machine's cores: what 16 raw probes at once cost here is the
      // part of the fleet run that no client can avoid.
      const parallelRaw = fleet.hosts.map((h) => `ssh ${h.sshArgs('deploy').map(shArg).join(' ')} -- ${shArg(RAW_PROBE)} >/dev/null &`).join(' ');
      const [rawOne, rawAll] = timeInterleaved([raw, { label: `ssh ×${fleetSize} in parallel`, argv: ['sh', '-c', `${parallelRaw} wait`], opts: { env } }], runs);
      rows.push({ work: `raw probe on ${fleetSize} hosts at once (no dockhand: this machine's fleet floor)`, floor: rawOne!, subject: rawAll! });
      if (fleetRow.before && upOne.before) notes.push(`before: ${fleetSize} hosts ${(fleetRow.before.medianMs / upOne.before.medianMs).toFixed(2)}× its own 1-host run`);
      notes.push(`peak memory (max RSS): 1 host ${mb(upOne.subject.maxRssKb)}, ${fleetSize} hosts ${mb(fleetRow.subject.maxRssKb)} (goal < 150 MB)` +
        (fleetRow.before ? `; before: ${mb(fleetRow.before.maxRssKb)}` : ''));
      // Wall time here is bounded by the test hosts sharing this machine's cores; dockhand's own CPU
      // time (user + system, GNU time) says what each further host costs in dockhand itself.
      notes.push(`dockhand's CPU time (user + system, median): 1 host ${cpuText(upOne.subject)}, ${fleetSize} hosts ${cpuText(fleetRow.subject)}` +
        (fleetRow.subject.cpuMs && upOne.subject.cpuMs ? ` (${(fleetRow.subject.cpuMs / upOne.subject.cpuMs).toFixed(2)}×; ${((fleetRow.subject.cpuMs - upOne.subject.cpuMs) / (fleetSize - 1)).toFixed(0)} ms per further host)` : '') +
        (fleetRow.before && upOne.before ? `; before: 1 host ${cpuText(upOne.before)}, ${fleetSize} hosts ${cpuText(fleetRow.before)}` : ''));
    } else {
      notes.push(`peak memory (max RSS) of a converged up: ${mb(upOne.subject.maxRssKb)}, CPU time ${cpuText(upOne.subject)}; BENCH_FLEET=16 adds the fleet row`);
    }

    // Daemon settings (issue 11): once applied, a converged run that asks for them must cost what
    // one that does not costs — the same probe, a merge that finds nothing to change, no restart.
    // Last, so the rows above time the host as `up` alone leaves it. The mirror is never contacted.
    const upSettings = args('up', '--source', 'distro', '--log-max-size', '10m', '--live-restore', '--registry-mirror', 'https://127.0.0.1:5000/', target(one));
    converge(upSettings, env, notes);
    rows.push(row('converged `up` with daemon settings, 1 host', { label: 'the same without settings', argv: [node, cli, ...up], opts: { env } },
      'dockhand up --log-max-size 10m --live-restore --registry-mirror …', upSettings, { env }, 1.1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fleet.stop();
  }
}

/** What `dockhand up --source distro` does on a fresh Debian 12 host, as one raw root script. */
const RAW_INSTALL = [
  'set -e',
  'export DEBIAN_FRONTEND=noninteractive',
  'apt-get update -q',
  'apt-get install -y -q docker.io containerd',
  'mkdir -p /etc/docker',
  `printf '{\\n  "storage-driver": "overlay2"\\n}\\n' > /etc/docker/daemon.json`,
  'usermod -aG docker deploy',
  'systemctl enable --now containerd docker',
  'systemctl restart docker',
  '',
].join('\n');

/**
 * A fresh install, once each (raw on one fresh host, dockhand on another, at the same time would
 * share the mirror: one after the other). The apt share is the time of the steps whose commands
 * run apt-get (plan --json says which), over dockhand's whole run.
 */
async function freshRow(rows: Row[], notes: string[]): Promise<number> {
  const booted = Date.now();
  const fleet = await bootHosts(
    [{ name: 'fresh-raw', suite: 'bookworm' as const }, { name: 'fresh-dh', suite: 'bookworm' as const }],
    { image: 'base', bootTimeoutMs: 300_000 },
  );
  notes.push(`fresh install: booted 2 bookworm hosts without Docker in ${((Date.now() - booted) / 1000).toFixed(0)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-bench-'));
  try {
    const env = benchEnv(dir);
    const [rawHost, dhHost] = [fleet.host('fresh-raw'), fleet.host('fresh-dh')];
    const args = ['--source', 'distro', `deploy@${dhHost.address}`, '--known-hosts', fleet.knownHostsFile, '--identity-file', fleet.clientKeyPath];

    const aptSteps = aptStepsOf(execFileSync(node, [cli, 'plan', '--json', ...args], { env, encoding: 'utf8' }));

    const rawStart = process.hrtime.bigint();
    execFileSync('ssh', [...rawHost.sshArgs('deploy'), '--', 'sudo sh -s'], { env, input: RAW_INSTALL, stdio: ['pipe', 'ignore', 'pipe'] });
    const rawMs = Number(process.hrtime.bigint() - rawStart) / 1e6;

    const dhStart = process.hrtime.bigint();
    const out = execFileSync(node, [cli, 'up', '--json', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    const dhMs = Number(process.hrtime.bigint() - dhStart) / 1e6;
    const steps = out
      .split('\n')
      .filter((l) => l.startsWith('{"event":"step"'))
      .map((l) => JSON.parse(l) as { step: string; status: string; durationMs?: number })
      .filter((e) => e.status !== 'running');
    const aptMs = steps.filter((e) => aptSteps.has(e.step)).reduce((sum, e) => sum + (e.durationMs ?? 0), 0);
    const one = (label: string, ms: number) => ({ label, runs: 1, medianMs: ms, minMs: ms, maxMs: ms });
    rows.push({ work: 'fresh install, 1 host (one run each)', floor: one('ssh host sudo sh -s <the same install>', rawMs), subject: one('dockhand up', dhMs), goal: 1.05 });
    const byStep = steps.filter((e) => (e.durationMs ?? 0) >= 100).map((e) => `${e.step} ${((e.durationMs ?? 0) / 1000).toFixed(1)} s`);
    notes.push(
      `fresh install: ${((aptMs / dhMs) * 100).toFixed(0)}% of dockhand's ${(dhMs / 1000).toFixed(1)} s was spent in apt-get (steps ${[...aptSteps].join(', ')}: ` +
        `${(aptMs / 1000).toFixed(1)} s, download from the mirror, unpack, configure); steps over 0.1 s: ${byStep.join(', ')}`,
    );
    return dhMs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fleet.stop();
  }
}

/**
 * A fresh install of BENCH_FRESH_FLEET hosts at once (issue 15: bounded by the mirror and the hosts,
 * not by dockhand): the whole run's wall time against the one-host install just timed, and per host
 * the share of its time spent in the steps that run apt-get (from `up --json`'s step events).
 */
async function freshFleetRow(rows: Row[], notes: string[], oneHostMs: number): Promise<void> {
  requireInotifyFor(freshFleet);
  const booted = Date.now();
  const fleet = await bootHosts(
    Array.from({ length: freshFleet }, (_, i) => ({ name: `fresh${i + 1}`, suite: 'bookworm' as const })),
    { image: 'base', bootTimeoutMs: 300_000 },
  );
  notes.push(`fresh fleet: booted ${freshFleet} bookworm hosts without Docker in ${((Date.now() - booted) / 1000).toFixed(0)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-bench-'));
  try {
    const env = benchEnv(dir);
    const inventory = join(dir, 'inv.yaml');
    writeInventory(inventory, fleet);
    const args = ['--source', 'distro', '-i', inventory, '--concurrency', String(freshFleet), '--known-hosts', fleet.knownHostsFile];
    const aptSteps = aptStepsOf(execFileSync(node, [cli, 'plan', '--json', ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 }));
    const start = process.hrtime.bigint();
    let out: string;
    try {
      out = execFileSync(node, [cli, 'up', '--json', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? '');
      notes.push(`fresh fleet: up exited ${(err as { status?: number }).status}`);
    }
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; host?: string; step?: string; status?: string; durationMs?: number; outcome?: string });
    const hosts = events.filter((e) => e.event === 'host');
    const shares = hosts.map((h) => {
      const apt = events.filter((e) => e.event === 'step' && e.host === h.host && e.status !== 'running' && aptSteps.has(e.step!)).reduce((sum, e) => sum + (e.durationMs ?? 0), 0);
      return apt / (h.durationMs ?? wallMs);
    }).sort((a, b) => a - b);
    const one = (label: string, ms: number) => ({ label, runs: 1, medianMs: ms, minMs: ms, maxMs: ms });
    rows.push({ work: `fresh install, ${freshFleet} hosts at once (one run)`, floor: one('the same on 1 host', oneHostMs), subject: one(`dockhand up, ${freshFleet} hosts`, wallMs) });
    const pct = (x: number | undefined) => (x === undefined ? '?' : `${(x * 100).toFixed(0)}%`);
    const outcomes = [...new Set(hosts.map((h) => h.outcome))].map((o) => `${hosts.filter((h) => h.outcome === o).length} ${o}`).join(', ');
    notes.push(
      `fresh fleet: ${freshFleet} hosts in ${(wallMs / 1000).toFixed(0)} s (${outcomes}); the share of each host's run spent in apt-get ` +
        `(steps ${[...aptSteps].join(', ')}): median ${pct(shares[Math.floor(shares.length / 2)])}, lowest ${pct(shares[0])}, highest ${pct(shares[shares.length - 1])}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fleet.stop();
  }
}

/** systemd in each test host takes inotify instances: refuse early, saying how to raise the limit. */
function requireInotifyFor(hosts: number): void {
  const limit = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
  if (limit < hosts * 16) {
    throw new Error(`${hosts} systemd hosts need more inotify instances than fs.inotify.max_user_instances=${limit}: raise it (sysctl fs.inotify.max_user_instances=8192)`);
  }
}

/** A home without ~/.ssh/config or agent under `dir`: both sides use only the harness key. */
function benchEnv(dir: string): Record<string, string> {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true', DOCKER_CONFIG: join(dir, 'docker') };
}

/** An inventory of the fleet's hosts (login deploy, the harness key) at `path`. */
function writeInventory(path: string, fleet: Fleet): void {
  writeFileSync(path, ['defaults:', '  user: deploy', `  key: ${fleet.clientKeyPath}`, 'hosts:', ...fleet.hosts.map((h) => `  ${h.name}: { address: ${h.address} }`), ''].join('\n'));
}

/** The ids of the steps whose commands run apt-get, from `plan --json`'s first host event. */
function aptStepsOf(planJson: string): Set<string> {
  const plan = JSON.parse(planJson.split('\n').find((l) => l.startsWith('{"event":"host"'))!) as { data: { steps: Array<{ id: string; commands: unknown[] }> } };
  return new Set(plan.data.steps.filter((st) => JSON.stringify(st.commands).includes('apt-get')).map((st) => st.id));
}

/** The first `up` on the fresh hosts; one retry, noted: the hosts have only just booted. */
function converge(args: string[], env: NodeJS.ProcessEnv, notes: string[]): void {
  try {
    execFileSync(node, [cli, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    notes.push(`the converging run failed once and was retried: ${String(err).split('\n', 1)[0]}`);
    execFileSync(node, [cli, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

const shArg = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

function cpuText(s: { cpuMs?: number }): string {
  return s.cpuMs === undefined ? '?' : `${s.cpuMs.toFixed(0)} ms`;
}

function mb(kb: number | undefined): string {
  return kb === undefined ? '?' : `${(kb / 1024).toFixed(0)} MB`;
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

function jsonRow(r: Row) {
  const ratio = (s: { medianMs: number }) => s.medianMs / r.floor.medianMs;
  return { work: r.work, floor: r.floor, dockhand: r.subject, ratio: ratio(r.subject), goal: r.goal, ...(r.before ? { before: r.before, ratioBefore: ratio(r.before) } : {}) };
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
