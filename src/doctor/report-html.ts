/**
 * `doctor --report FILE.html`: the fleet's doctor results as ONE self-contained HTML file to share —
 * no external asset, no script, no network (inline CSS only). A table of hosts × check groups, each
 * cell coloured by the worst finding of that group on that host; below it, each host's failures and
 * warnings with evidence, why and the fix, then its fix block. Everything a host said (and every name)
 * goes through the output layer (secrets masked, control characters stripped) and is HTML-escaped:
 * a host can neither inject markup nor break out of an attribute.
 */
import { safeText } from '../core/output.js';
import { isProblem, isWarning, summarize, summaryLine, type Finding } from './engine.js';
import { fixBlock, groupOf, mark, privilegeOf, type DoctorReport } from './render.js';

/** HTML text and attribute values: masked, printable, then escaped. */
export function esc(text: string): string {
  return safeText(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Cell = 'bad' | 'warn' | 'ok' | 'skip';

function worstOf(findings: readonly Finding[]): Cell {
  if (findings.some(isProblem)) return 'bad';
  if (findings.some(isWarning)) return 'warn';
  if (findings.some((f) => f.status === 'pass')) return 'ok';
  return 'skip';
}

const CELL_TEXT: Record<Cell, (n: number) => string> = {
  bad: (n) => `✗ ${n}`,
  warn: (n) => `! ${n}`,
  ok: () => '✓',
  skip: () => '–',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1d2430;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .3em;border-bottom:1px solid #d5dae1}
.meta{color:#5b6573;margin:0 0 1.2em}
table{border-collapse:collapse}th,td{border:1px solid #c9cfd8;padding:.35em .7em;text-align:center}
th{background:#eef1f5}td.host{text-align:left;font-weight:600}
.bad{background:#f8d0d0;color:#8a1010}.warn{background:#fbeec2;color:#7a5300}.ok{background:#d6f0d8;color:#1d5e26}
.skip{background:#f1f2f4;color:#6b7280}.error{background:#f8d0d0;color:#8a1010;text-align:left}
.finding{margin:.6em 0;padding:.5em .8em;border-left:4px solid #c9cfd8}
.finding.bad{border-color:#c43c3c;background:#fdf1f1;color:inherit}.finding.warn{border-color:#d09a00;background:#fffaeb;color:inherit}
.finding .id{color:#5b6573;font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#f5f6f8;padding:.5em .8em;overflow-x:auto;margin:.3em 0}
ul.evidence{margin:.2em 0;padding-left:1.3em;font-family:ui-monospace,monospace;font-size:.9em}
`;

export function renderHtmlReport(reports: readonly DoctorReport[], opts: { generatedAt?: Date } = {}): string {
  const groups = [...new Set(reports.flatMap((r) => r.findings.map(groupOf)))];
  const when = (opts.generatedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const hostState = (r: DoctorReport): Cell => (r.error ? 'bad' : worstOf(r.findings));
  const counts = { bad: 0, warn: 0, ok: 0, skip: 0 };
  for (const r of reports) counts[hostState(r)]++;

  const header = `<tr><th>Host</th>${groups.map((g) => `<th>${esc(g)}</th>`).join('')}</tr>`;
  const rows = reports.map((r, i) => {
    const host = `<td class="host"><a href="#host-${i}">${esc(r.host)}</a></td>`;
    if (r.error) return `<tr data-host="${esc(r.host)}" data-state="bad">${host}<td class="error" colspan="${Math.max(1, groups.length)}">✗ could not check: ${esc(r.error.split('\n')[0]!)}</td></tr>`;
    const cells = groups.map((g) => {
      const inGroup = r.findings.filter((f) => groupOf(f) === g);
      const cell = worstOf(inGroup);
      const n = inGroup.filter((f) => (cell === 'bad' ? isProblem(f) : isWarning(f))).length;
      const title = inGroup.filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.summary).join('; ');
      return `<td class="${cell}"${title ? ` title="${esc(title)}"` : ''}>${CELL_TEXT[cell](n)}</td>`;
    });
    return `<tr data-host="${esc(r.host)}" data-state="${hostState(r)}">${host}${cells.join('')}</tr>`;
  });

  const sections = reports.map((r, i) => {
    const head = `<h2 id="host-${i}">${esc(r.host)}${r.user ? ` <small>(user ${esc(r.user)})</small>` : ''}</h2>`;
    if (r.error) return `${head}<div class="finding bad"><strong>✗ could not check</strong><pre>${esc(r.error)}</pre></div>`;
    const shown = r.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
    const findings = shown.map((f) => {
      const cls = isProblem(f) ? 'bad' : 'warn';
      const fix = f.fix ? `<div>fix${f.fix.as === 'user' ? ' (as the user)' : ''}:</div><pre>${esc(f.fix.commands.join('\n'))}</pre>${f.fix.note ? `<div>${esc(f.fix.note)}</div>` : ''}` : '';
      return (
        `<div class="finding ${cls}"><div><strong>${mark(f)} ${f.security && f.status === 'fail' ? 'SECURITY: ' : ''}${esc(f.summary)}</strong> <span class="id">[${esc(f.id)}]</span></div>` +
        (f.evidence.length ? `<ul class="evidence">${f.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : '') +
        (f.explanation ? `<div>why: ${esc(f.explanation.replace(/\s+/g, ' '))}</div>` : '') +
        `${fix}</div>`
      );
    });
    const block = fixBlock(r.findings, privilegeOf(r));
    return [
      head,
      `<p class="meta">${esc(summaryLine(summarize(r.findings)))}</p>`,
      shown.length ? findings.join('\n') : '<p class="ok finding">✓ healthy: every check passed</p>',
      block.length ? `<h3>Fix (copy and paste; review first)</h3><pre>${esc(block.join('\n'))}</pre>` : '',
    ].join('\n');
  });

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>dockhand doctor — ${reports.length} host${reports.length === 1 ? '' : 's'}</title>
<style>${CSS}</style></head>
<body>
<h1>dockhand doctor</h1>
<p class="meta">${reports.length} host${reports.length === 1 ? '' : 's'}: ${counts.bad} with problems, ${counts.warn} with warnings, ${counts.ok} healthy · ${when}</p>
<table id="fleet">
${header}
${rows.join('\n')}
</table>
${sections.join('\n')}
</body></html>
`;
}
