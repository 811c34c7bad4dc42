import { describeDenial, parseMacDenial, type MacDenial } from '../mac.js';
import { pass, fail, skip, type CheckFn } from './types.js';

/** The labels the socket has under the container-selinux policy (and its older name). */
const SOCKET_TYPES = /:(container_var_run_t|docker_var_run_t):/;

/**
 * SELinux or AppArmor denying the daemon, its socket or its runtime: read from the audit log or the
 * journal (root's to read). Off on both is a pass on its own; on and the denials unreadable is a skip
 * saying why; denials logged in permissive mode are shown but enforced nothing.
 */
export const macDenials: CheckFn = (i) => {
  const m = i.client.mac!;
  const selinux = m.selinux === 'Enforcing' || m.selinux === 'Permissive';
  const apparmor = m.apparmor === 'Y';
  const ev = [
    `SELinux: ${m.selinux === 'absent' ? 'not in the kernel (no selinuxfs)' : m.selinux ?? 'could not be read'}`,
    `AppArmor: ${apparmor ? 'enabled' : m.apparmor === 'N' ? 'disabled' : m.apparmor === 'absent' ? 'not in the kernel' : 'could not be read'}`,
    ...(selinux ? [`/var/run/docker.sock label: ${m.socketLabel ?? 'none'}${m.socketLabel && !SOCKET_TYPES.test(m.socketLabel) ? ' (container-selinux labels it container_var_run_t)' : ''}`] : []),
  ];
  if (!selinux && !apparmor) {
    if (m.selinux === undefined || m.apparmor === undefined) return skip('whether SELinux and AppArmor are active could not be read');
    return pass(ev, { summary: 'neither SELinux nor AppArmor is active' });
  }
  const active = [selinux && `SELinux (${m.selinux})`, apparmor && 'AppArmor'].filter(Boolean).join(' and ');
  if (!m.denials) return skip(`${active} is active; its denials are in the audit log or the journal, which only root may read here (no passwordless sudo, not in systemd-journal or adm)`);
  const denials = m.denials.lines.map(parseMacDenial).filter((d): d is MacDenial => d !== undefined);
  const enforced = denials.filter((d) => !d.permissive);
  ev.push(`${m.denials.source}: ${denials.length} denial${denials.length === 1 ? '' : 's'} naming docker, containerd or runc (latest ${Math.min(5, denials.length)} below)`, ...denials.slice(-5).map(describeDenial));
  if (!enforced.length) return pass(ev, denials.length ? { summary: `${active}: denials only logged in permissive mode, none enforced` } : undefined);
  const last = enforced[enforced.length - 1]!;
  return fail(`${describeDenial(last)}${enforced.length > 1 ? ` (the latest of ${enforced.length})` : ''}`, ev, { fix: last.kind });
};

export const checksMac = { macDenials };
