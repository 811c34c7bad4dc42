/**
 * The contract between check declarations and their logic: a check function is a PURE function from the
 * evidence (plus what the engine derives from it once) to a status, evidence lines and fix vars.
 */
import type { ApiAnswer } from '../api.js';
import type { ResolvedEndpoint } from '../endpoint.js';
import type { DoctorEvidence, SocketStat } from '../evidence.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  /** One line saying what was found (used instead of the title when it says more). */
  summary?: string;
  /** Paths, modes, groups, unit states, journal lines — what the verdict rests on. */
  evidence: string[];
  /** Values for the fix templates ({{user}}, {{socket}}…). */
  vars?: Record<string, string>;
  /** Which of the declaration's alternative `fixes` applies; the plain `fix` when unset. */
  fix?: string;
}

export interface CheckInput extends DoctorEvidence {
  endpoint: ResolvedEndpoint;
  /** The API answer of the endpoint the client really uses (undefined when not probed). */
  primary?: ApiAnswer;
  /** The API answer of the default socket. */
  defaultApi?: ApiAnswer;
  /** The unix socket path of the resolved endpoint (undefined for tcp/ssh endpoints). */
  socketPath?: string;
  /** stat of that path (from the doctor script, or the facts when it is the default socket). */
  socket?: SocketStat;
}

export type CheckFn = (input: CheckInput) => CheckResult;

export const pass = (evidence: string[] = [], extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'pass', evidence, ...extra });
export const warn = (summary: string, evidence: string[] = [], extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'warn', summary, evidence, ...extra });
export const fail = (summary: string, evidence: string[] = [], extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'fail', summary, evidence, ...extra });
export const skip = (why: string): CheckResult => ({ status: 'skip', summary: why, evidence: [] });

/** 0660 → "0660". */
export const octal = (mode: number | undefined) => (mode === undefined ? '?' : '0' + (mode & 0o7777).toString(8).padStart(3, '0'));

export function describeStat(s: SocketStat | undefined): string {
  if (!s) return 'not examined';
  if (!s.exists) return `${s.path}: does not exist`;
  const link = s.linkTarget ? ` -> ${s.linkTarget}` : '';
  return `${s.path}${link}: ${s.type ?? '?'} ${s.owner ?? s.uid}:${s.group ?? s.gid} ${octal(s.mode)}`;
}

export function describeApi(p: ApiAnswer | undefined): string {
  if (!p) return 'API not probed';
  if (p.ok) return `${p.endpoint}: /_ping 200${p.apiVersion ? ` (API ${p.apiVersion})` : ''}${p.libpodVersion ? ` Libpod-Api-Version ${p.libpodVersion}` : ''}`;
  if (p.error) return `${p.endpoint}: ${p.error.kind} (${p.error.message})`;
  return `${p.endpoint}: /_ping answered HTTP ${p.pingStatus}`;
}
