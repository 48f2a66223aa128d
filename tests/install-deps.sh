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
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
