/**
 * What dockhand makes of Ansible's variables: the connection variables it reads (as native fields),
 * the ones it passes over without a word, and the ones worth a warning.
 */

/** Ansible's connection variables and what they are in the native model. */
export const connectionVars: Record<string, string> = {
  ansible_host: 'address',
  ansible_ssh_host: 'address',
  ansible_user: 'user',
  ansible_ssh_user: 'user',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_ssh_private_key_file: 'key',
  ansible_private_key_file: 'key',
  ansible_connection: 'connection',
  dockhand_jump: 'jump',
};
/** Ansible passes ProxyJump through these free-form ssh argument strings. */
export const sshArgVars = new Set(['ansible_ssh_common_args', 'ansible_ssh_extra_args']);
/** ansible_connection values that mean what dockhand does: SSH, or this machine. */
export const connectionKinds: Record<string, 'ssh' | 'local'> = {
  ssh: 'ssh',
  smart: 'ssh',
  paramiko: 'ssh',
  paramiko_ssh: 'ssh',
  'ansible.builtin.ssh': 'ssh',
  'ansible.builtin.paramiko_ssh': 'ssh',
  local: 'local',
  'ansible.builtin.local': 'local',
};
/**
 * Ansible variables about how Ansible itself runs modules (Python, become method, pipelining…):
 * dockhand has no use for them and nothing to misread, so they pass without a word.
 */
export const quietlyIgnored = new Set([
  'ansible_python_interpreter',
  'ansible_group_priority',
  'ansible_become',
  'ansible_become_method',
  'ansible_become_user',
  'ansible_become_exe',
  'ansible_become_flags',
  'ansible_shell_type',
  'ansible_shell_executable',
  'ansible_pipelining',
  'ansible_ssh_pipelining',
  'ansible_timeout',
  'ansible_ssh_timeout',
  'ansible_ssh_retries',
  'ansible_ssh_executable',
  'ansible_ssh_transfer_method',
  'ansible_scp_if_ssh',
  'ansible_sftp_batch_mode',
  'ansible_scp_extra_args',
  'ansible_sftp_extra_args',
  'ansible_module_compression',
  'ansible_async_dir',
  'ansible_remote_tmp',
]);
/** Secrets Ansible would use to log in or become root: dockhand would connect differently, so it says so. */
export const passwordVars = new Set(['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password', 'ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass']);
