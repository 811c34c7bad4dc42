/**
 * Which of the named users have an account on the host (`id -u NAME`, which asks NSS as login does).
 * A separate, tiny exec so the main probe stays as it is. The host answers one line per name, in the
 * order asked: it can say yes or no for a name but never add one; any other answer means "could not
 * tell" (undefined), and the plan then does not decide on it.
 */
import { shJoin } from '../shell/quote.js';
import type { Transport } from '../transport/types.js';

const TIMEOUT_MS = 30_000;

export async function gatherAccounts(transport: Transport, names: readonly string[]): Promise<Record<string, boolean> | undefined> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return {};
  const script = `for u in ${shJoin(unique)}; do if id -u "$u" >/dev/null 2>&1; then echo yes; else echo no; fi; done`;
  const result = await transport.exec(script, { timeoutMs: TIMEOUT_MS });
  const answers = result.stdout.split('\n').filter((l) => l !== '');
  if (result.code !== 0 || answers.length !== unique.length || answers.some((a) => a !== 'yes' && a !== 'no')) return undefined;
  return Object.fromEntries(unique.map((name, i) => [name, answers[i] === 'yes']));
}
