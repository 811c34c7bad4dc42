/**
 * --fix: apply only what the declarations call safe (and, with an explicit root-equivalent
 * confirmation, adding a user to docker). Everything else stays in the printed fix block.
 * Commands come from the declarations, filled by the engine; nothing here invents a command.
 */
import { shQuote } from '../shell/quote.js';
import type { Transport } from '../transport/types.js';
import type { Finding } from './engine.js';

export interface FixOptions {
  /** Confirm every safe fix without asking. */
  yes: boolean;
  /** With --yes: also add the user to docker (root-equivalent). */
  allowRootEquivalent: boolean;
  /** Ask a yes/no question; undefined when there is no TTY to ask on. */
  ask?: (question: string) => Promise<boolean>;
  /** The checked user, and whether the transport runs as that user. */
  user: string;
  home: string;
  transportIsUser: boolean;
  log: (line: string) => void;
}

export interface FixStep {
  finding: Finding;
  commands: string[];
  rootEquivalent: boolean;
  asUser: boolean;
}

/** The fixes --fix may apply, in check order, each command at most once. */
export function applicableFixes(findings: readonly Finding[]): FixStep[] {
  const seen = new Set<string>();
  const steps: FixStep[] = [];
  for (const f of findings) {
    if (!f.fix || (f.status !== 'fail' && f.status !== 'warn')) continue;
    if (f.fix.class !== 'safe' && f.fix.class !== 'confirm-root-equivalent') continue;
    const commands = f.fix.commands.filter((c) => !seen.has(c));
    commands.forEach((c) => seen.add(c));
    if (commands.length) steps.push({ finding: f, commands, rootEquivalent: f.fix.class === 'confirm-root-equivalent', asUser: f.fix.as === 'user' });
  }
  return steps;
}

async function confirmed(step: FixStep, opts: FixOptions): Promise<boolean> {
  const what = step.commands.join(' && ');
  if (step.rootEquivalent) {
    if (opts.yes) return opts.allowRootEquivalent;
    return opts.ask
      ? opts.ask(`${step.finding.id}: ${what}\n  This makes ${opts.user} ROOT-EQUIVALENT on this host (docker group = root). Add ${opts.user} to docker?`)
      : false;
  }
  if (opts.yes) return true;
  return opts.ask ? opts.ask(`${step.finding.id}: run \`${what}\`?`) : false;
}

export async function applyFixes(transport: Transport, steps: readonly FixStep[], opts: FixOptions): Promise<{ applied: number; failed: number }> {
  let applied = 0;
  let failed = 0;
  for (const step of steps) {
    if (!(await confirmed(step, opts))) {
      const why = step.rootEquivalent && opts.yes ? 'needs --allow-root-equivalent' : opts.ask || opts.yes ? 'declined' : 'not confirmed (no TTY; use --yes)';
      opts.log(`- ${step.finding.id}: skipped (${why})`);
      continue;
    }
    let ok = true;
    for (const command of step.commands) {
      const script = step.asUser && !opts.transportIsUser ? `runuser -u ${shQuote(opts.user)} -- env HOME=${shQuote(opts.home)} sh -c ${shQuote(command)}` : command;
      const r = await transport.exec(script, { sudo: !step.asUser || !opts.transportIsUser, timeoutMs: 120_000 });
      if (r.code === 0) {
        opts.log(`✓ ${step.finding.id}: ${command}`);
      } else {
        ok = false;
        opts.log(`✗ ${step.finding.id}: ${command} (exit ${r.code ?? 'none'}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`);
        break;
      }
    }
    // A fix counts as applied only when every one of its commands succeeded.
    if (ok) applied++;
    else failed++;
  }
  return { applied, failed };
}

/** What a human still has to do after the fixes (new login, manual steps). */
export function remainingAdvice(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  if (findings.some((f) => f.id === 'user.session' && f.status === 'fail')) {
    out.push('log out and back in (over SSH: reconnect), or run `newgrp docker`, so the session gets the docker group');
  }
  for (const f of findings) {
    if (f.status !== 'fail' || f.id === 'user.session') continue;
    const automatic = f.fix?.class === 'safe' || f.fix?.class === 'confirm-root-equivalent';
    out.push(`${f.id}: ${f.summary}${automatic ? ' (still failing)' : f.fix ? ' — see the fix block' : ''}`);
  }
  return out;
}
