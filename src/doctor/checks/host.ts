import { describeStat, pass, fail, warn, skip, type CheckFn, type CheckInput } from './types.js';

/** ~/.docker owned by root after `sudo docker login`: config and contexts become unreadable. */
export const configDirOwner: CheckFn = (i) => {
  const u = i.client.user;
  const dir = i.client.configDir;
  if (!dir.exists) return pass([`${dir.path}: does not exist (created on first use)`]);
  const ev = [describeStat(dir)];
  if (i.client.configJson.exists) ev.push(describeStat({ ...i.client.configJson, owner: i.client.configJson.owner }));
  const wrongOwner = (dir.uid !== undefined && dir.uid !== u.uid) || (i.client.configJson.owner !== undefined && i.client.configJson.owner !== u.name);
  if (u.uid !== 0 && wrongOwner) {
    return fail(`${dir.path} is not owned by ${u.name}`, ev, { vars: { user: u.name, configDir: dir.path } });
  }
  if (i.client.configJson.exists && i.client.configJson.content === undefined) {
    return fail(`${i.client.configJson.path} cannot be read by ${u.name}`, ev, { vars: { user: u.name, configDir: dir.path } });
  }
  return pass(ev);
};

const info = (i: CheckInput) => (i.primary?.ok ? i.primary.info : undefined);
const driverStatus = (i: CheckInput, key: string) => info(i)?.DriverStatus?.find(([k]) => k === key)?.[1];

/** overlay2 (or the containerd snapshotter) is the supported default; others are legacy or slow. */
export const storageDriver: CheckFn = (i) => {
  const inf = info(i);
  if (!inf?.Driver) return skip('the daemon did not report its storage driver');
  const ev = [`Storage Driver: ${inf.Driver}`, ...(inf.DriverStatus ?? []).map(([k, v]) => `${k}: ${v}`)];
  if (['overlay2', 'overlayfs', 'btrfs', 'zfs'].includes(inf.Driver)) return pass(ev);
  if (['devicemapper', 'aufs', 'overlay'].includes(inf.Driver)) return fail(`storage driver ${inf.Driver} is deprecated (removed in current engines)`, ev);
  return warn(`storage driver ${inf.Driver} (overlay2 expected)`, ev);
};

/** overlay needs d_type from the backing filesystem (xfs ftype=1). */
export const backingFsDType: CheckFn = (i) => {
  const reported = driverStatus(i, 'Supports d_type');
  const fromFacts = i.facts.dockerRoot.dType;
  const ev = [`${i.facts.dockerRoot.path}: ${i.facts.dockerRoot.fsType ?? '?'} filesystem`];
  if (reported !== undefined) ev.push(`Supports d_type: ${reported}`);
  if (reported === 'false' || (reported === undefined && fromFacts === false)) {
    return fail(`the filesystem under ${i.facts.dockerRoot.path} lacks d_type (xfs needs ftype=1): overlay2 cannot work`, ev);
  }
  if (i.facts.dockerRoot.fsType === 'overlay') return fail(`${i.facts.dockerRoot.path} is on overlayfs: overlay on overlay breaks overlay2`, ev);
  return pass(ev);
};

const major = (v?: string) => Number((v ?? '').split('.')[0]) || undefined;

/** Engine 29 stores images in containerd by default: images of the old graph driver are hidden. */
export const imageStore: CheckFn = (i) => {
  const engine = i.primary?.version?.Version ?? i.facts.versions.engine;
  const m = major(engine);
  if (!m) return skip('engine version unknown');
  const inf = info(i);
  const snapshotter = driverStatus(i, 'driver-type')?.includes('snapshotter') || inf?.Driver === 'overlayfs';
  const ev = [`Engine ${engine}`, inf?.Driver ? `Storage Driver: ${inf.Driver}` : 'storage driver unknown'];
  const oldData = i.facts.dockerRoot.driversWithData.filter((d) => d !== 'containerd');
  if (m >= 29 && snapshotter && oldData.length) {
    ev.push(`data left by the graph driver: ${oldData.map((d) => `${i.facts.dockerRoot.path}/${d}`).join(', ')}`);
    return warn('Engine ≥ 29 uses the containerd image store: images and containers of the old driver are not visible', ev);
  }
  return pass(ev);
};

/** The Docker root dir's filesystem nearly full (space or inodes). */
export const diskSpace: CheckFn = (i) => {
  const r = i.facts.dockerRoot;
  if (r.diskFreePercent === undefined && r.inodesFreePercent === undefined) return skip('free space unknown');
  const ev = [`${r.path}: ${r.diskFreePercent ?? '?'}% space free, ${r.inodesFreePercent ?? '?'}% inodes free`];
  const low = Math.min(r.diskFreePercent ?? 100, r.inodesFreePercent ?? 100);
  if (low < 5) return fail(`the filesystem of ${r.path} is nearly full`, ev);
  if (low < 15) return warn(`the filesystem of ${r.path} is getting full`, ev);
  return pass(ev);
};

/** `-H tcp://…` without TLS: anyone who can reach the port is root. CRITICAL, never auto-fixed. */
export const tcpWithoutTls: CheckFn = (i) => {
  const sources: string[] = [];
  const cmd = [i.facts.dockerd?.cmdline, i.client.execStart].filter(Boolean).join(' ');
  const tlsOnCmd = /--tlsverify\b(?!=false)/.test(cmd);
  for (const m of cmd.matchAll(/(?:-H|--host)[= ]?(tcp:\/\/\S+)/g)) sources.push(`dockerd flag ${m[0]}`);
  let tlsInJson = false;
  const json = i.facts.daemonJson.content ?? i.client.snap.daemonJson?.content;
  if (json) {
    try {
      const cfg = JSON.parse(json);
      tlsInJson = cfg.tlsverify === true;
      for (const h of Array.isArray(cfg.hosts) ? cfg.hosts : []) if (String(h).startsWith('tcp://')) sources.push(`daemon.json hosts: ${h}`);
    } catch {
      /* invalid JSON is daemon.start-failure's finding */
    }
  }
  const listeners = i.client.tcpListeners ?? [];
  const plain = listeners.filter((l) => /:2375([^0-9]|$)/.test(l));
  const tls = tlsOnCmd || tlsInJson;
  const ev = [...new Set(sources), ...listeners.map((l) => `listening: ${l.trim().replace(/\s+/g, ' ')}`)];
  if ((sources.length && !tls) || plain.length) {
    return fail('the Docker API is exposed on TCP WITHOUT TLS: anyone who reaches the port is root on this host', ev);
  }
  if (sources.length) return pass([...ev, 'TLS verification is on'], { summary: 'TCP listener protected by TLS (--tlsverify)' });
  return pass(['no TCP listener']);
};

export const checksHost = { configDirOwner, storageDriver, backingFsDType, imageStore, diskSpace, tcpWithoutTls };
