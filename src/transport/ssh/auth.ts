/**
 * How a hop is logged into. ssh2 reads no agent or default keys by itself, so the methods are
 * gathered here: the agent (SSH_AUTH_SOCK or IdentityAgent, resolved in hops.ts), then the key files.
 */
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AnyAuthMethod } from 'ssh2';
import type { Hop } from './hops.js';

/**
 * Agent first (it holds the keys the user unlocked; key files first with IdentitiesOnly, so that
 * sshd's MaxAuthTries is not spent on the agent's other keys), then key files. Missing files are
 * passed over; unreadable and passphrase-protected ones are skipped and named in `skipped` (for the
 * authentication failure's message): dockhand never prompts for a passphrase.
 */
export function authMethods(hop: Hop): { methods: AnyAuthMethod[]; skipped: string[] } {
  const methods: AnyAuthMethod[] = [];
  const skipped: string[] = [];
  const agent: AnyAuthMethod[] = hop.agent && existsSync(hop.agent) ? [{ type: 'agent', username: hop.user, agent: hop.agent }] : [];
  if (!hop.keyFilesFirst) methods.push(...agent);
  for (const file of hop.identityFiles) {
    if (!existsSync(file)) continue;
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      skipped.push(`${file} (${(e as Error).message})`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      skipped.push(`${file} (${/encrypt|passphrase/i.test(parsed.message) ? 'passphrase-protected: load it into ssh-agent' : parsed.message})`);
      continue;
    }
    methods.push({ type: 'publickey', username: hop.user, key: data });
  }
  if (hop.keyFilesFirst) methods.push(...agent);
  return { methods, skipped };
}
