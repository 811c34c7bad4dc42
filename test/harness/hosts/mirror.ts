/**
 * The Debian mirror this machine's apt uses. The test hosts install packages from it and from nothing
 * else, so its URL is read from the machine's apt sources at run time (never written into the repo)
 * and its name is pinned to ONE address, the only one the hosts' firewall lets through.
 */
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Mirror {
  /** e.g. http://<mirror>/debian — the archive root debootstrap and apt inside the hosts use */
  url: string;
  hostname: string;
  /** the single IPv4 address the hosts may reach */
  address: string;
}

const SOURCES_DIR = '/etc/apt/sources.list.d';
const SOURCES_LIST = '/etc/apt/sources.list';

/** Every archive URL of type `deb` in deb822 `.sources` files and one-line `sources.list` files. */
export function aptArchiveUrls(sourcesDir = SOURCES_DIR, sourcesList = SOURCES_LIST): string[] {
  const urls: string[] = [];
  if (existsSync(sourcesDir)) {
    for (const file of readdirSync(sourcesDir).sort()) {
      const text = readFileSync(join(sourcesDir, file), 'utf8');
      if (file.endsWith('.sources')) urls.push(...deb822Urls(text));
      else if (file.endsWith('.list')) urls.push(...oneLineUrls(text));
    }
  }
  if (existsSync(sourcesList)) urls.push(...oneLineUrls(readFileSync(sourcesList, 'utf8')));
  return urls;
}

function deb822Urls(text: string): string[] {
  const urls: string[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) =>
      stanza.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi'))?.[1]?.trim().split(/\s+/) ?? [];
    if (!field('Types').includes('deb') || field('Enabled')[0] === 'no') continue;
    urls.push(...field('URIs'));
  }
  return urls;
}

function oneLineUrls(text: string): string[] {
  const urls: string[] = [];
  for (const line of text.split('\n')) {
    // deb [options] uri suite components…
    const m = line.trim().match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/);
    if (m?.[1]) urls.push(m[1]);
  }
  return urls;
}

/** The main Debian archive (not -security, not third-party repositories): its path ends in /debian. */
export function pickDebianArchive(urls: readonly string[]): string | undefined {
  return urls.find((u) => /^https?:\/\/[^/]+(\/.*)?\/debian\/?$/.test(u))?.replace(/\/$/, '');
}

export async function findMirror(): Promise<Mirror> {
  const urls = aptArchiveUrls();
  const url = pickDebianArchive(urls);
  if (!url) {
    throw new Error(
      `no Debian archive (an http(s) URL ending in /debian) in ${SOURCES_DIR}/*.sources or ${SOURCES_LIST}; found: ${urls.join(', ') || 'nothing'}`,
    );
  }
  const hostname = new URL(url).hostname;
  const { address } = await lookup(hostname, { family: 4 });
  return { url, hostname, address };
}
