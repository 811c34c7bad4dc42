# shellcheck shell=sh
# Fact area cloud-init (cloud-init.ts): whether cloud-init is installed, and its status (a host still
# booting may yet change packages and users under the plan).

sec cloud_init
kvyn present has cloud-init
has cloud-init && runt status cloud-init status
