/**
 * Human output: findings grouped by area with ✓ / ! / ✗, evidence and fixes, then ONE copy-paste
 * fix block and one summary line. Fleets get a table, one row per host, worst finding first.
 * Evidence and errors hold host text: every line and cell goes through safeLine (secrets masked,
 * control characters stripped, no line breaks), so a host can neither escape to the terminal nor
 * forge a line of the report ("✓ healthy").
 */
import { safeLine, safeText } from '../core/output.js';
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

export function renderHost(r: DoctorReport, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [`dockhand doctor — ${r.host}${r.user ? ` (user ${r.user})` : ''}`, ''];
  if (r.error) {
    // The error's own lines (a command's output tail) stay lines, indented under it.
    const [first, ...more] = safeText(r.error).split('\n');
    return [...out, `✗ could not check: ${first}`, ...more.map((l) => `    ${l}`), ''].map(safeLine).join('\n');
  }
  let group = '';
  // Findings come in dependency order, which can return to a group later (host.* checks that depend
  // on others): keep each group's findings together, groups in the order they first appear.
  const groupOf = (f: Finding) => GROUPS[f.id.split('.')[0]!] ?? 'Other';
  const groupOrder = [...new Set(r.findings.map(groupOf))];
  const ordered = groupOrder.flatMap((g) => r.findings.filter((f) => groupOf(f) === g));
  for (const f of ordered) {
    if (f.status === 'skip' && !opts.verbose) continue;
    const g = groupOf(f);
    if (g !== group) {
      out.push(g);
      group = g;
    }
    const sec = f.security && f.status === 'fail' ? 'SECURITY: ' : '';
    const text = f.status === 'pass' && f.severity !== 'info' ? f.title : f.summary;
    out.push(`  ${mark(f)} ${sec}${text}  [${f.id}]`);
    if (f.status === 'skip') {
      out.push(`      skipped: ${f.skippedBecause ? `depends on ${f.skippedBecause}` : f.summary}`);
      continue;
    }
    const showEvidence = f.status !== 'pass' || f.severity === 'info' || opts.verbose;
    if (showEvidence) for (const e of f.evidence) out.push(`      ${e}`);
    if (f.status === 'fail' || f.status === 'warn') {
      if (f.explanation) out.push(`      why: ${f.explanation.replace(/\s+/g, ' ')}`);
      for (const l of fixLines(f)) out.push(`      fix: ${l}`);
    }
  }
  // The same count as the summary line's "N skipped", split by why.
  const skipped = r.findings.filter((f) => f.status === 'skip');
  if (skipped.length && !opts.verbose) {
    const blocked = skipped.filter((f) => f.skippedBecause).length;
    const parts = [blocked && `${blocked} because a check they depend on failed`, skipped.length - blocked && `${skipped.length - blocked} not applicable or without evidence here`].filter(Boolean);
    out.push('', `  (${skipped.length} ${skipped.length === 1 ? 'check' : 'checks'} skipped: ${parts.join(', ')}; --verbose lists them)`);
  }
  const block = fixBlock(r.findings, privilegeOf(r));
  if (block.length) out.push('', 'Fix (copy and paste; review first):', '', ...block.map((l) => `  ${l}`));
  if (r.fixLog?.length) out.push('', 'Applied:', ...r.fixLog.map((l) => `  ${l}`));
  out.push('', summaryLine(summarize(r.findings)), '');
  return out.map(safeLine).join('\n');
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

export function renderFleet(reports: readonly DoctorReport[]): string {
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
  const hw = Math.max(4, ...rows.map((r) => r.host.length));
  const sw = Math.max(5, ...rows.map((r) => r.state.length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(hw)}  ${b.padEnd(sw)}  ${c}`;
  return [line('HOST', 'STATE', 'WORST FINDING'), ...rows.map((r) => line(r.host, r.state, r.finding))].join('\n') + '\n';
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
  }));
}
