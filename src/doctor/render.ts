/**
 * Human output: findings grouped by area with ✓ / ! / ✗, evidence and fixes, then ONE copy-paste
 * fix block and one summary line. Fleets get a table, one row per host, worst finding first.
 * Evidence and errors hold host text: every line and cell goes through safeLine (secrets masked,
 * control characters stripped, no line breaks), so a host can neither escape to the terminal nor
 * forge a line of the report ("✓ healthy").
 */
import { mixedImageStores } from './image-store.js';
import { safeLine, safeText } from '../core/output.js';
import { plainPaint, type Paint, type Style } from '../core/output-colour.js';
import { isProblem, isWarning, summarize, summaryLine, type Finding } from './engine.js';

export interface DoctorReport {
  host: string;
  /** The checked user. */
  user?: string;
  findings: Finding[];
  /** Set when the host could not be examined. */
  error?: string;
  /** The exit code of that error (4 unreachable, 3 could not check). */
  exitCode?: number;
  /** The fix block is for root already: no sudo prefix. */
  root?: boolean;
  /** sudo is installed on the host (false: root commands cannot be prefixed with it). */
  sudo?: boolean;
  /** Lines from --fix: what ran and what remains. */
  fixLog?: string[];
  /** The image store of the daemon the client reaches (image-store.ts); unknown without its answer. */
  imageStore?: string;
}

const GROUPS: Record<string, string> = {
  install: 'Installation',
  host: 'Installation',
  daemon: 'Daemon',
  endpoint: 'Endpoint',
  socket: 'Socket and permissions',
  user: 'Socket and permissions',
  api: 'Socket and permissions',
  client: 'Client',
  storage: 'Storage',
  security: 'Security',
};

/** The report group a finding is shown in (by its id's area). */
export const groupOf = (f: Finding): string => GROUPS[f.id.split('.')[0]!] ?? 'Other';

export function mark(f: Finding): string {
  if (f.status === 'pass') return '✓';
  if (f.status === 'skip') return '-';
  return isProblem(f) ? '✗' : '!';
}

function fixLines(f: Finding): string[] {
  if (!f.fix) return [];
  const who = f.fix.as === 'user' ? ' (as the user)' : '';
  const head =
    f.fix.class === 'confirm-root-equivalent'
      ? `# ${f.id}: ROOT-EQUIVALENT — members of docker can become root${who}`
      : f.fix.class === 'never-auto'
        ? `# ${f.id}: review and change by hand (never automatic)`
        : `# ${f.id}${f.fix.class === 'safe' ? '' : ' (manual)'}${who}`;
  return [head, ...f.fix.commands.map((c) => (f.fix!.class === 'never-auto' ? `# ${c}` : c)), ...(f.fix.note ? [`#   ${f.fix.note.trim()}`] : [])];
}

/** A line and how to colour it once it is safe (the style applies to pieces dockhand wrote itself). */
type Line = { text: string; colour?: (safe: string, paint: Paint) => string };

const markStyle = (f: Finding): Style => (f.status === 'pass' ? 'ok' : f.status === 'skip' ? 'dim' : isProblem(f) ? 'bad' : 'warn');

/**
 * One host's report. By default each group of checks is one line when its checks pass ("Socket and
 * permissions  ✓ 8 checks"); failures and warnings are shown in full under their group, with evidence,
 * why and fix; an informational finding (the endpoint in use) is one line. `verbose` lists every check
 * with its evidence, skipped ones too. Returns text already through the output layer, coloured by `paint`.
 */
export function renderHost(r: DoctorReport, opts: { verbose?: boolean; paint?: Paint } = {}): string {
  const paint = opts.paint ?? plainPaint;
  const out: Line[] = [{ text: `dockhand doctor — ${r.host}${r.user ? ` (user ${r.user})` : ''}`, colour: (t, p) => p('bold', t) }, { text: '' }];
  if (r.error) {
    // The error's own lines (a command's output tail) stay lines, indented under it.
    const [first, ...more] = safeText(r.error).split('\n');
    out.push({ text: `✗ could not check: ${first}`, colour: (t, p) => p('bad', t.slice(0, 1)) + t.slice(1) }, ...more.map((l) => ({ text: `    ${l}` })), { text: '' });
    return finishLines(out, paint);
  }
  // Findings come in dependency order, which can return to a group later (host.* checks that depend
  // on others): keep each group's findings together, groups in the order they first appear.
  const groups = [...new Set(r.findings.map(groupOf))];
  const nameWidth = Math.max(...groups.map((g) => g.length));
  for (const g of groups) {
    const findings = r.findings.filter((f) => groupOf(f) === g);
    const shown = opts.verbose ? findings : findings.filter((f) => f.status === 'fail' || f.status === 'warn' || (f.status === 'pass' && f.severity === 'info'));
    const passed = findings.filter((f) => f.status === 'pass' && !shown.includes(f)).length;
    if (!shown.length && !passed) continue; // only skipped checks: counted in the skipped line below
    const head = opts.verbose || !passed ? g : `${g.padEnd(nameWidth)}  ✓ ${passed} ${passed === 1 ? 'check' : 'checks'}`;
    const ticks = head.indexOf('✓');
    out.push({ text: head, colour: (t, p) => p('bold', t.slice(0, g.length)) + (ticks < 0 ? '' : t.slice(g.length, ticks) + p('ok', t.slice(ticks))) });
    for (const f of shown) out.push(...findingLines(f, opts.verbose ?? false));
  }
  // The same count as the summary line's "N skipped", split by why.
  const skipped = r.findings.filter((f) => f.status === 'skip');
  if (skipped.length && !opts.verbose) {
    const blocked = skipped.filter((f) => f.skippedBecause).length;
    const parts = [blocked && `${blocked} because a check they depend on failed`, skipped.length - blocked && `${skipped.length - blocked} not applicable or without evidence here`].filter(Boolean);
    out.push({ text: '' }, { text: `  (${skipped.length} ${skipped.length === 1 ? 'check' : 'checks'} skipped: ${parts.join(', ')}; --verbose lists them)`, colour: (t, p) => p('dim', t) });
  }
  const block = fixBlock(r.findings, privilegeOf(r));
  if (block.length) out.push({ text: '' }, { text: 'Fix (copy and paste; review first):', colour: (t, p) => p('bold', t) }, { text: '' }, ...block.map((l) => ({ text: `  ${l}` })));
  if (r.fixLog?.length) out.push({ text: '' }, { text: 'Applied:', colour: (t, p) => p('bold', t) }, ...r.fixLog.map((l) => ({ text: `  ${l}` })));
  const s = summarize(r.findings);
  const summaryStyle: Style = s.problems ? 'bad' : s.warnings ? 'warn' : 'ok';
  out.push({ text: '' }, { text: summaryLine(s), colour: (t, p) => p(summaryStyle, t) }, { text: '' });
  return finishLines(out, paint);
}

function findingLines(f: Finding, verbose: boolean): Line[] {
  const out: Line[] = [];
  const sec = f.security && f.status === 'fail' ? 'SECURITY: ' : '';
  const text = f.status === 'pass' && f.severity !== 'info' ? f.title : f.summary;
  out.push({ text: `  ${mark(f)} ${sec}${text}  [${f.id}]`, colour: (t, p) => `  ${p(markStyle(f), t.slice(2, 3))} ${sec ? p('bad', sec) : ''}${t.slice(4 + sec.length)}` });
  if (f.status === 'skip') {
    out.push({ text: `      skipped: ${f.skippedBecause ? `depends on ${f.skippedBecause}` : f.summary}` });
    return out;
  }
  if (f.status !== 'pass' || verbose) for (const e of f.evidence) out.push({ text: `      ${e}` });
  if (f.status === 'fail' || f.status === 'warn') {
    if (f.explanation) out.push({ text: `      why: ${f.explanation.replace(/\s+/g, ' ')}` });
    for (const l of fixLines(f)) out.push({ text: `      fix: ${l}`, colour: (t, p) => `      ${p('bold', 'fix:')}${t.slice(10)}` });
  }
  return out;
}

/** Each line through the output layer (one line each: host text cannot start one), then its colour. */
function finishLines(lines: readonly Line[], paint: Paint): string {
  return lines
    .map((l) => {
      const safe = safeLine(l.text);
      return l.colour && paint.enabled ? l.colour(safe, paint) : safe;
    })
    .join('\n');
}

/** How root commands of the fix block are run: as root already, through sudo, or neither. */
export type FixPrivilege = 'root' | 'sudo' | 'none';

export const privilegeOf = (r: Pick<DoctorReport, 'root' | 'sudo'>): FixPrivilege => (r.root ? 'root' : r.sudo === false ? 'none' : 'sudo');

/**
 * Every fix of every failing finding, in check order, as one block, for the host's privilege:
 * root → the commands as they are; sudo installed → root commands prefixed with sudo; neither →
 * the commands as they are under a line saying they need root and how to get it.
 */
export function fixBlock(findings: readonly Finding[], privilege: FixPrivilege | boolean = 'sudo'): string[] {
  const how: FixPrivilege = privilege === true ? 'root' : privilege === false ? 'sudo' : privilege;
  const lines: string[] = [];
  let needsRoot = false;
  for (const f of findings) {
    if (!f.fix || (f.status !== 'fail' && f.status !== 'warn')) continue;
    const [head, ...rest] = fixLines(f);
    lines.push(head!);
    for (const l of rest) {
      const asRoot = !l.startsWith('#') && f.fix.as !== 'user';
      needsRoot ||= asRoot;
      lines.push(asRoot && how === 'sudo' ? `sudo ${l}` : l);
    }
  }
  if (needsRoot && how === 'none') {
    lines.unshift('# These commands need root, and sudo is not installed: run them as root (`su -`, or log in as root).');
  }
  return lines;
}

/** Worst finding first: problems, then warnings. */
function worst(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => isProblem(f) && f.security) ?? findings.find(isProblem) ?? findings.find(isWarning);
}

/** The fleet table; cells are safe before they are measured, then the STATE column is coloured. */
export function renderFleet(reports: readonly DoctorReport[], paint: Paint = plainPaint): string {
  const rows = reports.map((r) => {
    if (r.error) return { host: safeLine(r.host), state: 'could not check', finding: safeLine(r.error), rank: 3 };
    const s = summarize(r.findings);
    const w = worst(r.findings);
    return {
      host: safeLine(r.host),
      state: s.problems ? `${s.problems} problem${s.problems === 1 ? '' : 's'}` : s.warnings ? `${s.warnings} warning${s.warnings === 1 ? '' : 's'}` : 'ok',
      finding: w ? safeLine(`${mark(w)} ${w.id}: ${w.summary}`) : '✓ healthy',
      rank: s.problems ? 2 : s.warnings ? 1 : 0,
    };
  });
  rows.sort((a, b) => b.rank - a.rank || a.host.localeCompare(b.host));
  // A fleet on more than one image store gets a column for it, and a line saying which host is on which.
  const mixed = mixedImageStores(new Map(reports.map((r) => [safeLine(r.host), r.imageStore])));
  const storeOf = new Map(reports.map((r) => [safeLine(r.host), r.imageStore ?? '?']));
  const hw = Math.max(4, ...rows.map((r) => r.host.length));
  const sw = Math.max(5, ...rows.map((r) => r.state.length));
  const iw = Math.max(11, ...[...storeOf.values()].map((v) => v.length));
  const store = (host: string) => (mixed ? `${(host === 'HOST' ? 'IMAGE STORE' : (storeOf.get(host) ?? '?')).padEnd(iw)}  ` : '');
  const line = (a: string, b: string, c: string, style?: Style) => `${a.padEnd(hw)}  ${style ? paint(style, b.padEnd(sw)) : b.padEnd(sw)}  ${store(a)}${c}`;
  const styleOf = (rank: number): Style => (rank >= 2 ? 'bad' : rank === 1 ? 'warn' : 'ok');
  const table = [paint('bold', line('HOST', 'STATE', 'WORST FINDING')), ...rows.map((r) => line(r.host, r.state, r.finding, styleOf(r.rank)))];
  if (mixed) {
    const groups = [...mixed].map(([s, hosts]) => `${s} on ${hosts.sort().join(', ')}`).join('; ');
    table.push('', paint('warn', `! the hosts use different image stores (${groups}): images on one store are not seen by the other, and a switch hides what the old store holds`));
  }
  return table.join('\n') + '\n';
}

export function toJson(reports: readonly DoctorReport[]): unknown {
  return reports.map((r) => ({
    host: r.host,
    user: r.user,
    error: r.error,
    summary: r.error ? undefined : summarize(r.findings),
    findings: r.findings,
    fixBlock: r.error ? [] : fixBlock(r.findings, privilegeOf(r)),
    applied: r.fixLog,
    imageStore: r.imageStore,
  }));
}
