/** Every probe by the name the declarations use (checks/*.yaml `probe:`). */
import { probesApt } from './apt.js';
import { probesDaemon } from './daemon.js';
import { probesEndpoint } from './endpoint.js';
import { probesHost } from './host.js';
import { probesInstall } from './install.js';
import { probesKernel } from './kernel.js';
import { probesRootless } from './rootless.js';
import { probesSocket } from './socket.js';
import type { Probe } from './types.js';

export const probes: Record<string, Probe> = {
  ...probesInstall,
  ...probesDaemon,
  ...probesEndpoint,
  ...probesSocket,
  ...probesHost,
  ...probesApt,
  ...probesKernel,
  ...probesRootless,
};
