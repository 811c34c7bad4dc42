/** Every check function by the name the declarations use (checks/*.yaml `logic:`). */
import { checksApt } from './apt.js';
import { checksDaemon } from './daemon.js';
import { checksDaemonSettings } from './daemon-settings.js';
import { checksEndpoint } from './endpoint.js';
import { checksHost } from './host.js';
import { checksInstall } from './install.js';
import { checksKernel } from './kernel.js';
import { checksMac } from './mac.js';
import { checksSocket } from './socket.js';
import type { CheckFn } from './types.js';

export const checkFns: Record<string, CheckFn> = {
  ...checksInstall,
  ...checksDaemon,
  ...checksDaemonSettings,
  ...checksEndpoint,
  ...checksSocket,
  ...checksHost,
  ...checksApt,
  ...checksKernel,
  ...checksMac,
};
