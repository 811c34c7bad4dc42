/**
 * SELinux AVC and AppArmor denial lines (audit log, kernel or audit journal) → what was denied to
 * whom (pure). The lines are untrusted host text: each is clipped, only known `key=value` fields
 * with a bounded charset are taken, and a line that is not a denial of one of the two forms is
 * dropped — never shown as a reason. Nothing read here ever reaches a command.
 */
import { clipLine } from '../core/bounded.js';

export interface MacDenial {
  kind: 'selinux' | 'apparmor';
  /** SELinux: the permissions (`connectto`, `write`); AppArmor: the operation (`connect`, `open`). */
  denied: string;
  /** The process's command name (comm=). */
  comm?: string;
  /** What it was denied on: path=/name= (a path), else the object's class. */
  target?: string;
  /** SELinux: source type (`httpd_t`); AppArmor: the profile. */
  subject?: string;
  /** SELinux: the target type (`container_runtime_t`) and class (`unix_stream_socket`). */
  object?: string;
  /** SELinux in permissive mode (or a permissive domain): logged, not enforced. */
  permissive: boolean;
}

const LINE_MAX = 2000;
/** A quoted or bare value of field `key`; values are bounded and cannot span fields. */
function field(line: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}=(?:"([^"\\n]{0,512})"|([^\\s"]{1,512}))`).exec(line);
  const v = m?.[1] ?? m?.[2];
  return v === undefined || v === '' ? undefined : v;
}
/** `system_u:system_r:httpd_t:s0` → `httpd_t`. */
const selinuxType = (ctx: string | undefined) => (ctx && /^[\w.-]+:[\w.-]+:([\w.-]+)(?::|$)/.exec(ctx)?.[1]) || undefined;

export function parseMacDenial(raw: string): MacDenial | undefined {
  const line = clipLine(raw, LINE_MAX);
  const avc = /\bavc: +denied +\{ ([a-z_ ]{1,200}) \}/.exec(line);
  if (avc) {
    const tclass = field(line, 'tclass');
    const ttype = selinuxType(field(line, 'tcontext'));
    return {
      kind: 'selinux',
      denied: avc[1]!.trim().split(/\s+/).join(' '),
      comm: field(line, 'comm'),
      target: field(line, 'path') ?? field(line, 'name'),
      subject: selinuxType(field(line, 'scontext')),
      object: [ttype, tclass].filter(Boolean).join(' ') || undefined,
      permissive: field(line, 'permissive') === '1',
    };
  }
  if (/\bapparmor="DENIED"/.test(line)) {
    const op = field(line, 'operation');
    if (!op) return undefined;
    const mask = field(line, 'denied_mask');
    return {
      kind: 'apparmor',
      denied: mask ? `${op} (${mask})` : op,
      comm: field(line, 'comm'),
      target: field(line, 'name') ?? field(line, 'peer'),
      subject: field(line, 'profile'),
      permissive: false,
    };
  }
  return undefined;
}

/** One line for the report: `SELinux denied dockerd (container_runtime_t) { write } on /run/x (sock_file)`. */
export function describeDenial(d: MacDenial): string {
  const who = [d.comm ?? 'a process', d.subject ? `(${d.kind === 'apparmor' ? 'profile ' : ''}${d.subject})` : ''].filter(Boolean).join(' ');
  const on = [d.target ? `on ${d.target}` : '', d.object ? `(${d.object})` : ''].filter(Boolean).join(' ');
  const what = d.kind === 'selinux' ? `{ ${d.denied} }` : d.denied;
  return `${d.kind === 'selinux' ? 'SELinux' : 'AppArmor'} denied ${who} ${what}${on ? ` ${on}` : ''}${d.permissive ? ' [permissive: logged, not enforced]' : ''}`;
}
