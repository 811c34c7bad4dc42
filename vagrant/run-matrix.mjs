#!/usr/bin/env node
/**
 * The real-VM matrix driver (vagrant/README.md), in zx: for each box, boot it, `dockhand up` from
 * fresh, `dockhand up` again (must change nothing), the rendered script when `dockhand render`
 * exists, `dockhand doctor` (must be healthy); one line per box as it goes, a summary at the end, and
 * one JSON record per run in the results directory, compared with the previous record.
 *
 *   ./run-matrix.sh [--results DIR] [--logs DIR] [BOX…] [-- OPTIONS for dockhand up/plan, e.g. --source distro]
 *
 * Exit: 0 every box ok, 1 a box failed, 64 usage (or dockhand not built).
 * Everything dockhand does goes through `--ssh-config` (the `vagrant ssh-config` output), exactly as a
 * user would run it; nothing is installed by Vagrant's own provisioners.
 */
import { $, fs, path } from 'zx';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'src', 'cli.js');
$.verbose = false;
$.quiet = true;

function usage(message) {
  process.stderr.write(`run-matrix: ${message}\nusage: run-matrix.sh [--results DIR] [--logs DIR] [BOX…] [-- OPTIONS for dockhand up/plan]\n`);
  process.exit(64);
}

/** BOX… and `--results DIR` before `--`; everything after `--` goes to `dockhand up` and `plan`. */
function parseArgs(argv) {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const passThrough = dash < 0 ? [] : argv.slice(dash + 1);
  const boxes = [];
  let results = process.env.DOCKHAND_MATRIX_RESULTS || path.join(here, 'results');
  let logs;
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    if (a === '--results' || a === '--logs') {
      if (!own[i + 1]) usage(`${a} needs a directory`);
      if (a === '--results') results = own[++i];
      else logs = own[++i];
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: run-matrix.sh [--results DIR] [--logs DIR] [BOX…] [-- OPTIONS for dockhand up/plan]\n');
      process.exit(0);
    } else if (a.startsWith('-')) usage(`unknown option ${a} (options for dockhand go after --)`);
    else if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a)) usage(`not a box name: ${JSON.stringify(a)}`);
    else boxes.push(a);
  }
  return { boxes, results: path.resolve(results), logs: logs && path.resolve(logs), passThrough };
}

/** `--json` prints JSON lines; the last is the summary event (README, "JSON output"). */
function summaryOf(jsonl) {
  const last = jsonl.trimEnd().split('\n').pop();
  try {
    const s = JSON.parse(last);
    return s && s.event === 'summary' ? s : undefined;
  } catch {
    return undefined;
  }
}

function hostEvent(jsonl) {
  for (const line of jsonl.trimEnd().split('\n').reverse()) {
    try {
      const e = JSON.parse(line);
      if (e.event === 'host') return e;
    } catch {
      // not JSON: ignore (stdout of --json is JSON lines only, but be safe)
    }
  }
  return undefined;
}

/** The last non-empty line of a command's stderr (dockhand's own error line when it stopped early). */
const lastLine = (text) => String(text ?? '').trimEnd().split('\n').pop() ?? '';
const changedIn = (summary) => (summary?.hosts ?? []).reduce((n, h) => n + (h.steps?.changed ?? 0), 0);
/** What a box says goes into the terminal: printable characters only, bounded. */
const printable = (s) => String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 300);

/** Known hosts: the ssh config's UserKnownHostsFile when it is a real file (strict), else a per-run file (accept-new). */
async function knownHostsFor(box, cfg, logDir) {
  const g = await $({ nothrow: true })`ssh -G -F ${cfg} -- ${box}`;
  const line = g.stdout.split('\n').find((l) => l.toLowerCase().startsWith('userknownhostsfile '));
  const file = line?.split(/\s+/)[1];
  if (g.exitCode === 0 && file && file !== '/dev/null' && fs.existsSync(file)) return { file, policy: 'strict', from: 'ssh-config' };
  // Vagrant's own config says /dev/null: record the box's throwaway key on first contact, refuse a change after.
  return { file: path.join(logDir, `${box}.known_hosts`), policy: 'accept-new', from: 'first contact' };
}

/**
 * `dockhand render --help` succeeds for an unknown command too (yargs prints the top-level help and
 * exits 0), so render counts as available only when that help is render's own.
 */
async function renderAvailable() {
  const r = await $({ nothrow: true })`node ${cli} render --help`;
  return r.exitCode === 0 && /^dockhand render\b/.test(r.stdout);
}

async function runBox(box, ctx) {
  const rec = { box, result: 'failed', stage: 'boot', distribution: null, engine: null, firstRun: null, secondRun: null, render: null, doctor: null, logs: ctx.logDir };
  const log = (name) => path.join(ctx.logDir, `${box}-${name}`);
  const say = (text) => process.stdout.write(`${box}: ${text}\n`);
  const fail = (stage, reason) => {
    Object.assign(rec, { result: 'failed', stage, reason });
    say(`FAILED at ${stage}: ${reason}`);
    return rec;
  };

  let t = Date.now();
  const up = await $({ nothrow: true })`vagrant up ${box}`;
  await fs.writeFile(log('vagrant-up.log'), up.stdout + up.stderr);
  if (up.exitCode !== 0) return fail('boot', `vagrant up exited ${up.exitCode} (see ${log('vagrant-up.log')})`);
  say(`booted (${((Date.now() - t) / 1000).toFixed(1)} s)`);

  const sc = await $({ nothrow: true })`vagrant ssh-config ${box}`;
  const cfg = log('ssh_config');
  await fs.writeFile(cfg, sc.stdout);
  if (sc.exitCode !== 0 || sc.stdout.trim() === '') return fail('ssh-config', `vagrant ssh-config exited ${sc.exitCode}`);
  const kh = await knownHostsFor(box, cfg, ctx.logDir);
  rec.knownHosts = { policy: kh.policy, from: kh.from };
  const common = ['-H', box, '--ssh-config', cfg, '--known-hosts', kh.file, '--host-key-policy', kh.policy];
  const dockhand = async (name, args) => {
    const started = Date.now();
    const r = await $({ nothrow: true })`node ${cli} ${args} --json`;
    await fs.writeFile(log(`${name}.json`), r.stdout);
    await fs.writeFile(log(`${name}.log`), r.stderr);
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
  };

  rec.stage = 'first up';
  const up1 = await dockhand('up1', ['up', ...common, ...ctx.passThrough]);
  const s1 = summaryOf(up1.stdout);
  rec.firstRun = { seconds: Number(up1.seconds.toFixed(1)), exitCode: up1.code, changes: changedIn(s1) };
  if (up1.code !== 0) return fail('first up', `exit ${up1.code}: ${printable(s1?.hosts?.[0]?.error ?? lastLine(up1.stderr))} (see ${log('up1.log')})`);
  say(`first up: ${rec.firstRun.changes} changes in ${rec.firstRun.seconds} s`);

  rec.stage = 'second up';
  const up2 = await dockhand('up2', ['up', ...common, ...ctx.passThrough]);
  const s2 = summaryOf(up2.stdout);
  rec.secondRun = { seconds: Number(up2.seconds.toFixed(1)), exitCode: up2.code, changes: s2 ? changedIn(s2) : null };
  if (up2.code !== 0 || !s2) return fail('second up', `exit ${up2.code}: ${printable(s2?.hosts?.[0]?.error ?? lastLine(up2.stderr))} (see ${log('up2.log')})`);
  if (rec.secondRun.changes !== 0) return fail('second up', `not converged: ${rec.secondRun.changes} changes on the second run (see ${log('up2.json')})`);
  say('second up: 0 changes (converged)');

  rec.stage = 'facts';
  const facts = await dockhand('facts', ['facts', ...common]);
  const f = hostEvent(facts.stdout)?.data;
  if (facts.code !== 0 || !f?.os) return fail('facts', `exit ${facts.code} (see ${log('facts.log')})`);
  rec.distribution = { id: f.os.id, versionId: f.os.versionId ?? null, codename: f.os.versionCodename ?? null, prettyName: f.os.prettyName ?? null };
  rec.engine = { version: f.versions?.engine ?? null };
  say(`${printable(f.os.prettyName ?? f.os.id)}, Docker Engine ${printable(rec.engine.version ?? 'unknown')}`);

  // The rendered script, run on the box (over the same ssh config) with no dockhand there: `dockhand
  // plan` must then report zero changes. A dockhand without `render` (an older build) skips it.
  rec.stage = 'render';
  if (!ctx.render) {
    rec.render = { status: 'unavailable' };
    say('render not available, skipped');
  } else {
    const script = await $({ nothrow: true })`node ${cli} render ${common} ${ctx.passThrough}`;
    await fs.writeFile(log('render.sh'), script.stdout);
    if (script.exitCode !== 0) return fail('render', `dockhand render exited ${script.exitCode}`);
    const ran = await $({ nothrow: true, input: script.stdout })`ssh -F ${cfg} -o UserKnownHostsFile=${kh.file} -o StrictHostKeyChecking=yes -- ${box} sudo sh -s`;
    await fs.writeFile(log('render-run.log'), ran.stdout + ran.stderr);
    const plan = await dockhand('plan-after-render', ['plan', ...common, ...ctx.passThrough]);
    const changes = changedIn(summaryOf(plan.stdout));
    rec.render = { status: ran.exitCode === 0 && plan.code === 0 && changes === 0 ? 'ok' : 'failed', scriptExitCode: ran.exitCode, planChanges: changes };
    if (rec.render.status !== 'ok') return fail('render', `script exit ${ran.exitCode}, then plan: ${changes} changes`);
    say('rendered script ran; plan then reports 0 changes');
  }

  rec.stage = 'doctor';
  const doc = await $({ nothrow: true })`node ${cli} doctor ${common} --json`;
  await fs.writeFile(log('doctor.json'), doc.stdout);
  await fs.writeFile(log('doctor.log'), doc.stderr);
  let reports;
  try {
    reports = [JSON.parse(doc.stdout)].flat();
  } catch {
    reports = [];
  }
  const summary = reports[0]?.summary ?? null;
  rec.doctor = { exitCode: doc.exitCode, healthy: doc.exitCode === 0 && summary?.problems === 0, problems: summary?.problems ?? null, warnings: summary?.warnings ?? null };
  if (!rec.doctor.healthy) return fail('doctor', `exit ${doc.exitCode}, ${summary?.problems ?? '?'} problems (see ${log('doctor.json')})`);
  say(`doctor: healthy (${rec.doctor.warnings} warnings)`);

  Object.assign(rec, { result: 'ok', stage: 'done' });
  say('ok (converged on second run, doctor healthy)');
  return rec;
}

/** The newest earlier record in the results directory, if any. */
async function lastRecord(dir) {
  if (!fs.existsSync(dir)) return undefined;
  const files = (await fs.readdir(dir)).filter((f) => /^matrix-.*\.json$/.test(f)).sort();
  for (const file of files.reverse()) {
    try {
      return { file, record: JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) };
    } catch {
      // a broken record is skipped, not fatal
    }
  }
  return undefined;
}

function comparison(now, last) {
  const lines = [];
  for (const b of now.boxes) {
    const before = last.record.boxes?.find((x) => x.box === b.box);
    if (!before) {
      lines.push(`  ${b.box}: not in the last run`);
      continue;
    }
    const parts = [];
    if (before.result !== b.result) parts.push(`result ${before.result} → ${b.result}`);
    if (b.firstRun && before.firstRun) parts.push(`first up ${b.firstRun.seconds} s (was ${before.firstRun.seconds} s)`);
    if ((before.engine?.version ?? null) !== (b.engine?.version ?? null)) parts.push(`engine ${before.engine?.version ?? '-'} → ${b.engine?.version ?? '-'}`);
    if ((before.secondRun?.changes ?? null) !== (b.secondRun?.changes ?? null)) parts.push(`second-run changes ${before.secondRun?.changes ?? '-'} → ${b.secondRun?.changes ?? '-'}`);
    if ((before.doctor?.healthy ?? null) !== (b.doctor?.healthy ?? null)) parts.push(`doctor healthy ${before.doctor?.healthy ?? '-'} → ${b.doctor?.healthy ?? '-'}`);
    lines.push(`  ${b.box}: ${parts.length ? parts.join(', ') : 'same'}`);
  }
  return lines;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(cli)) usage(`build dockhand first (npm install): ${cli} is missing`);
  let boxes = args.boxes;
  if (boxes.length === 0) {
    const st = await $({ nothrow: true, cwd: here })`vagrant status --machine-readable`;
    if (st.exitCode !== 0) usage(`vagrant status failed: ${printable(st.stderr)}`);
    boxes = [...new Set(st.stdout.split('\n').map((l) => l.split(',')).filter((f) => f[2] === 'state').map((f) => f[1]))];
  }
  if (boxes.length === 0) usage('no boxes');
  $.cwd = here;
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  if (args.logs) await fs.mkdirp(args.logs);
  const logDir = await fs.mkdtemp(path.join(args.logs ?? tmpdir(), `dockhand-matrix-${stamp}-`));
  const render = await renderAvailable();
  const version = (await $({ nothrow: true })`node ${cli} --version`).stdout.trim();
  const commit = (await $({ nothrow: true })`git -C ${here} rev-parse --short HEAD`).stdout.trim() || null;
  process.stdout.write(`dockhand ${version}${commit ? ` (${commit})` : ''}: ${boxes.length} box${boxes.length === 1 ? '' : 'es'}; logs in ${logDir}\n`);

  const results = [];
  for (const box of boxes) results.push(await runBox(box, { logDir, render, passThrough: args.passThrough }));

  const record = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    dockhand: { version, commit },
    options: args.passThrough,
    render: render ? 'available' : 'unavailable',
    boxes: results,
    summary: { ok: results.filter((r) => r.result === 'ok').length, failed: results.filter((r) => r.result !== 'ok').length },
  };
  const last = await lastRecord(args.results);
  record.comparedWith = last?.file ?? null;
  await fs.mkdirp(args.results);
  const file = path.join(args.results, `matrix-${stamp}.json`);
  await fs.writeFile(file, JSON.stringify(record, null, 2) + '\n');

  const w = Math.max(3, ...results.map((r) => r.box.length));
  process.stdout.write(`\n${'BOX'.padEnd(w)}  RESULT  DISTRIBUTION          ENGINE     FIRST UP  2ND CHANGES  DOCTOR\n`);
  for (const r of results) {
    const dist = r.distribution ? `${r.distribution.id} ${r.distribution.versionId ?? ''}`.trim() : '-';
    const doctor = r.doctor ? (r.doctor.healthy ? 'healthy' : `${r.doctor.problems ?? '?'} problems`) : '-';
    process.stdout.write(
      `${r.box.padEnd(w)}  ${(r.result === 'ok' ? 'ok' : 'FAILED').padEnd(6)}  ${printable(dist).padEnd(20)}  ${printable(r.engine?.version ?? '-').padEnd(9)}  ` +
        `${(r.firstRun ? `${r.firstRun.seconds} s` : '-').padStart(8)}  ${String(r.secondRun?.changes ?? '-').padStart(11)}  ${doctor}${r.result === 'ok' ? '' : ` (${r.stage}: ${printable(r.reason)})`}\n`,
    );
  }
  process.stdout.write(`${results.length} box${results.length === 1 ? '' : 'es'}: ${record.summary.ok} ok, ${record.summary.failed} failed\n`);
  if (last) process.stdout.write(`compared with ${last.file}:\n${comparison(record, last).join('\n')}\n`);
  process.stdout.write(`record: ${file}\n`);
  process.exit(record.summary.failed ? 1 : 0);
}

await main();
