/**
 * The human-readable summary of one host's facts (`dockhand facts` without --json): pure, one
 * `label value` line per fact, every value (host text) through the output layer's safeLine.
 */
import { safeLine } from '../core/output.js';
import type { Facts, KeyFileFacts, UnitState } from './types.js';

const unknown = '?';
const yesNo = (v: boolean | undefined) => (v === undefined ? unknown : v ? 'yes' : 'no');
const list = (items: readonly string[]) => (items.length ? items.join(' ') : '-');
const percent = (v: number | undefined) => (v === undefined ? unknown : `${v}%`);

function unitLine(u: UnitState): string {
  const state = u.subState ? `${u.activeState}/${u.subState}` : u.activeState;
  const parts = [u.loadState, state];
  if (u.unitFileState) parts.push(u.unitFileState);
  if (u.result && u.result !== 'success') parts.push(`result=${u.result}`);
  if (u.mainPid) parts.push(`pid ${u.mainPid}`);
  return `${u.name}: ${parts.join(', ')}`;
}

/** One `label value` line; the value (host text) through safeLine: printable, masked, one line. */
function row(label: string, value: string): string {
  return `  ${label.padEnd(13)} ${safeLine(value)}`;
}

export function renderFactsSummary(f: Facts): string {
  const lines: string[] = [safeLine(f.host)];
  const os = f.os;
  const codename = os.ubuntuCodename ?? os.versionCodename ?? os.debianCodename;
  lines.push(
    row(
      'OS',
      `${os.prettyName ?? os.name ?? os.id} (id ${os.id}${os.versionId ? ` ${os.versionId}` : ''}` +
        `${codename ? `, codename ${codename}` : ''}${os.idLike.length ? `, like ${os.idLike.join(' ')}` : ''})`,
    ),
  );
  lines.push(row('Arch', `${f.arch.machine || unknown}${f.arch.package ? ` (${f.arch.package})` : ''}`));
  lines.push(row('Kernel', f.kernel.release || unknown));
  const where = [f.init.container ? `container: ${f.init.container}` : '', f.init.wsl ? 'WSL' : ''].filter(Boolean);
  lines.push(row('Init', `${f.init.system} (pid 1: ${f.init.pid1 ?? unknown})${where.length ? `, ${where.join(', ')}` : ''}`));
  lines.push(row('Package mgr', `${f.packageManager}${f.dpkgInterrupted ? ' (an earlier dpkg run was interrupted: the plan runs dpkg --configure -a first)' : ''}`));
  lines.push(
    row(
      'Privilege',
      f.privilege.isRoot
        ? 'root'
        : `uid ${f.privilege.uid}, sudo ${f.privilege.sudoInstalled ? `installed, passwordless: ${yesNo(f.privilege.sudoNoPassword)}` : 'not installed'}`,
    ),
  );
  lines.push(row('User', `${f.user.name} (uid ${f.user.uid}, gid ${f.user.gid})${f.user.sudoUser ? ` via sudo from ${f.user.sudoUser}` : ''}`));
  lines.push(row('  session', list(f.user.sessionGroups)));
  const pending = f.user.databaseGroups.filter((g) => !f.user.sessionGroups.includes(g));
  lines.push(row('  database', `${list(f.user.databaseGroups)}${pending.length ? `  (new login needed for: ${pending.join(' ')})` : ''}`));

  const pkgs = Object.entries(f.packages).map(([name, version]) => `${name} ${version}`);
  lines.push(row('Packages', pkgs.length ? pkgs.join(', ') : 'none of Docker\'s'));
  const versions = [['engine', f.versions.engine], ['cli', f.versions.cli], ['containerd', f.versions.containerd]]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`);
  lines.push(row('Versions', versions.length ? versions.join(', ') : '-'));
  const bins = Object.values(f.binaries).filter(Boolean) as string[];
  lines.push(row('Binaries', list(bins)));
  lines.push(row('dockerd', f.dockerd ? `pid ${f.dockerd.pid}: ${f.dockerd.cmdline}` : 'not running'));
  for (const p of f.foreignDockerd ?? []) lines.push(row('', `ignored: a process named dockerd (pid ${p.pid}) run by uid ${p.uid}, not root`));
  const units = Object.values(f.units);
  if (units.length) units.forEach((u, i) => lines.push(row(i === 0 ? 'Units' : '', unitLine(u))));
  if (f.serviceRunning) {
    const s = f.serviceRunning;
    lines.push(row('Services', `docker ${s.docker === undefined ? unknown : s.docker ? 'running' : 'not running'}, containerd ${s.containerd === undefined ? unknown : s.containerd ? 'running' : 'not running'}`));
  }
  if (f.serviceEnabled) {
    const e = f.serviceEnabled;
    lines.push(row('At boot', Object.entries(e).map(([n, on]) => `${n} ${on ? 'enabled' : 'not enabled'}`).join(', ')));
  }
  const g = f.dockerGroup;
  lines.push(row('docker group', g.exists ? `gid ${g.gid ?? unknown}, members: ${list(g.members)}` : 'absent'));
  const s = f.socket;
  lines.push(
    row(
      'Socket',
      s.exists
        ? `${s.path} ${s.type ?? unknown} ${s.owner ?? s.uid ?? unknown}:${s.group ?? s.gid ?? unknown} ${s.mode === undefined ? unknown : `0${s.mode.toString(8)}`}`
        : `${s.path} absent`,
    ),
  );
  const dj = f.daemonJson;
  lines.push(row('daemon.json', !dj.exists ? `${dj.path} absent` : dj.content === undefined ? `${dj.path} unreadable` : `${dj.path} (${dj.content.length} bytes)`));
  const r = f.dockerRoot;
  lines.push(
    row(
      'Storage',
      `${r.path}${r.exists ? '' : ' (absent)'} on ${r.fsType ?? unknown}, d_type ${yesNo(r.dType)}, ` +
        `data for: ${list(r.driversWithData)}, images ${r.imageCount ?? unknown}, containers ${r.containerCount ?? unknown}, ` +
        `free ${percent(r.diskFreePercent)} (inodes ${percent(r.inodesFreePercent)})`,
    ),
  );
  lines.push(row('overlay', `supported ${yesNo(f.overlay.supported)}, module loaded ${yesNo(f.overlay.moduleLoaded)}, persisted ${yesNo(f.overlay.persisted)}`));
  lines.push(row('cloud-init', f.cloudInit.present ? `status ${f.cloudInit.status ?? unknown}` : 'absent'));
  lines.push(
    row(
      'Locks',
      f.locks.length
        ? f.locks.map((l) => `${l.path} held by ${l.command ?? unknown}${l.pid !== undefined ? ` (pid ${l.pid})` : ''}`).join('; ')
        : 'none held',
    ),
  );
  if (f.aptSources) {
    const files = f.aptSources.files.map((x) => x.path);
    lines.push(row('apt sources', `${list(files)}${f.aptSources.legacyKeys.length ? `; legacy keys: ${f.aptSources.legacyKeys.join(' ')}` : ''}`));
    if (f.aptSources.keyring) lines.push(row('apt keyring', keyLine(f.aptSources.keyring)));
  }
  if (f.rpmRepo) {
    const repo = f.rpmRepo.file;
    lines.push(row('rpm repo', `${repo.path} ${!repo.exists ? 'absent' : repo.content === undefined ? 'unreadable' : `(${repo.content.length} bytes)`}`));
    lines.push(row('rpm key', keyLine(f.rpmRepo.key)));
  }
  return lines.join('\n') + '\n';
}

function keyLine(k: KeyFileFacts): string {
  if (!k.exists) return `${k.path} absent`;
  return `${k.path} ${k.fingerprints ? `key ${k.fingerprints.join(', ')}` : 'not a readable armoured key'}`;
}
