#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian 12 packages bmdump builds and tests with, if missing.
# Idempotent: with everything present it only checks and returns.
set -euo pipefail

PKGS=(
	# build
	make gcc libc6-dev binutils nasm clang libclang-rt-14-dev gnu-efi
	libcmocka-dev libblkid-dev libzstd-dev zlib1g-dev liblzo2-dev
	libsnappy-dev pkg-config
	# the kernel the rig boots, and headers to build modules for it
	linux-image-amd64 linux-headers-amd64 kmod dkms
	# the rig
	qemu-system-x86 ovmf busybox-static cpio kexec-tools
	gdisk fdisk e2fsprogs util-linux python3
	# independent readers of the dumps
	makedumpfile crash python3-drgn python3-libkdumpfile
	# the man-page check of make install
	groff-base
	# the off-box copy: ssh/scp in the rig's guest, a throwaway sshd on
	# the host (tests/e2e/test_offbox.py)
	openssh-client openssh-server
	# the Debian packages (tests/unit/test_packaging.py)
	debhelper dh-dkms
	# signing the stub (make sign, the Secure Boot tests)
	sbsigntool efitools openssl
	# bmdump selftest sets BootNext with it (tests/e2e: the boot loop)
	efibootmgr
	# the boot loop's GPT ESP image (tests/e2e/test_selftest.py)
	mtools dosfstools
	# pesign's signature of the stub (tests/unit/test_sign.py), its NSS db
	pesign libnss3-tools
)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q "install ok installed"
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done

# The kernel matrix (tests/e2e/test_kernels.py): Debian 12's newer kernel
# line, 6.12 from bookworm's archive, image and headers.  Any installed
# 6.12 with its headers will do; otherwise the newest the archive has.
matrix_kernel() {
	local k
	for k in $(dpkg-query -W -f='${Package}\n' \
			'linux-image-6.12.*+deb12-amd64' 2>/dev/null); do
		k=${k#linux-image-}
		installed "linux-image-$k" && installed "linux-headers-$k" &&
			return 0
	done
	return 1
}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
updated=""
if ! matrix_kernel; then
	$sudo apt-get update -q
	updated=1
	k=$(apt-cache search --names-only \
		'^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		sed 's/^linux-image-\([^ ]*\) .*/\1/' | sort -V | tail -n 1)
	if [ -z "$k" ]; then
		echo "install-deps: no linux-image-6.12.*+deb12-amd64 in the" \
		     "archive (is bookworm's security/updates in sources.list?)" >&2
		exit 1
	fi
	missing+=("linux-image-$k" "linux-headers-$k")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
[ -n "$updated" ] || $sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
