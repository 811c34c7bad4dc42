# shellcheck shell=sh
# Fact area os (os.ts): the distribution, the architecture as the package manager names it, the kernel.

sec os
if [ -e /etc/os-release ]; then emit_file /etc/os-release; else emit_file /usr/lib/os-release; fi

sec arch
kv machine "$(uname -m 2>/dev/null)"
kv kernel "$(uname -r 2>/dev/null)"
has dpkg && kv dpkg "$(dpkg --print-architecture 2>/dev/null)"
has rpm && kv rpm "$(rpm --eval '%_arch' 2>/dev/null)"
has apk && kv apk "$(apk --print-arch 2>/dev/null)"
