/**
 * Step 1: wait until the host is ready for package installs — cloud-init finished, no other process
 * holding the package manager's lock (fresh cloud images run unattended upgrades for minutes).
 * Waiting with a bound and progress lines beats retrying on a short ladder.
 */
import { shQuote } from '../../shell/quote.js';
import type { PlanContext } from '../context.js';
import { pollUntilLines, progressEcho, script } from '../script.js';
import { change, ok, rootCommand, type StepResult } from './result.js';
import type { HostTask, Target } from './task.js';

/** cloud-init states after which nothing more happens at boot. */
const CLOUD_INIT_FINISHED = new Set(['done', 'disabled', 'error', 'degraded', 'not run', 'not-run']);

function cloudInitWaitLines(timeout: number): string[] {
  return [
    progressEcho(`waiting up to ${timeout}s for cloud-init to finish`),
    'rc=0',
    `timeout ${timeout} cloud-init status --wait >/dev/null || rc=$?`,
    // 0 done, 2 done with recoverable errors; 1 is a failed run: nothing more will happen either.
    'case $rc in',
    '  0|2) ;;',
    `  124) echo ${shQuote(`cloud-init still running after ${timeout}s`)} >&2; exit 1 ;;`,
    '  *) echo "warning: cloud-init finished with errors (exit $rc); continuing" >&2 ;;',
    'esac',
  ];
}

export function waitReady(ctx: PlanContext): StepResult {
  const { facts } = ctx;
  const timeout = ctx.step('wait-ready')?.lockTimeoutSeconds ?? 600;
  const commands = [];
  const reasons = [];
  const status = facts.cloudInit.status;
  if (facts.cloudInit.present && (status === undefined || !CLOUD_INIT_FINISHED.has(status))) {
    reasons.push(`cloud-init is ${status ?? 'in an unknown state'}`);
    commands.push(
      rootCommand('wait for cloud-init to finish', script(...cloudInitWaitLines(timeout))),
    );
  }
  for (const lock of facts.locks) {
    if (lock.pid === undefined) continue;
    const who = `${lock.command ?? 'a process'} (pid ${lock.pid})`;
    reasons.push(`${who} holds ${lock.path}`);
    commands.push(
      rootCommand(
        `wait for ${who} to release ${lock.path}`,
        script(
          ...pollUntilLines({
            condition: `! kill -0 ${lock.pid} 2>/dev/null`,
            timeoutSeconds: timeout,
            waitingFor: `${who} to release ${lock.path}`,
            onTimeout: `echo ${shQuote(`${who} still holds ${lock.path} after ${timeout}s`)} >&2; exit 1`,
          }),
        ),
      ),
    );
  }
  // After the waits: a dpkg run that was interrupted (power loss, a killed apt) leaves packages
  // half-configured, and every apt-get after it refuses to run until this is done.
  if (facts.dpkgInterrupted) {
    reasons.push('an earlier dpkg run was interrupted');
    commands.push(
      rootCommand(
        'finish the interrupted dpkg run (dpkg --configure -a)',
        script(...(ctx.pm.interruptedRun?.finish ?? [])),
      ),
    );
  }
  if (commands.length === 0) {
    return ok(facts.cloudInit.present ? `cloud-init ${status}; no package lock held` : 'no package lock held');
  }
  return change(`${reasons.join('; ')}: wait (at most ${timeout}s)`, commands);
}

/**
 * On the host: cloud-init finished (skipped when the script runs from cloud-init itself: it would
 * wait for its own run), then an interrupted dpkg run finished. Package locks are waited for by the
 * package commands themselves (apt's DPkg::Lock::Timeout and the lists-lock retry), as under `up`.
 */
export function waitReadyTasks(ctx: Target): HostTask[] {
  const timeout = ctx.step('wait-ready')?.lockTimeoutSeconds ?? 600;
  const finished = [...CLOUD_INIT_FINISHED].map((s) => `*'status: ${s}'*`).join('|');
  const tasks: HostTask[] = [
    {
      summary: 'wait for cloud-init to finish',
      test: {
        what: 'cloud-init absent or finished',
        // Run by cloud-init itself (runcmd, a user-data script part): waiting would wait for this very run.
        shell: [
          '[ -n "${DOCKHAND_FROM_CLOUD_INIT:-}" ] && exit 0',
          'p=$$',
          'while [ "$p" -gt 1 ] 2>/dev/null; do',
          `  case "$(tr '\\000' ' ' < "/proc/$p/cmdline" 2>/dev/null)" in *cloud-init*) exit 0 ;; esac`,
          "  p=$(sed 's/.*) //' \"/proc/$p/stat\" 2>/dev/null | cut -d ' ' -f 2)",
          'done',
          'command -v cloud-init >/dev/null 2>&1 || exit 0',
          `case "$(cloud-init status 2>/dev/null)" in ${finished}) exit 0 ;; esac`,
          'exit 1',
        ].join('\n'),
        holds: (facts) => !facts.cloudInit.present || (facts.cloudInit.status !== undefined && CLOUD_INIT_FINISHED.has(facts.cloudInit.status)),
      },
      action: cloudInitWaitLines(timeout),
      waits: true,
    },
  ];
  const interrupted = ctx.pm.interruptedRun;
  if (interrupted) {
    tasks.push({
      summary: 'finish the interrupted package run',
      test: { what: 'no interrupted package run', shell: interrupted.noneShell, holds: (facts) => !facts.dpkgInterrupted },
      action: interrupted.finish,
    });
  }
  return tasks;
}
