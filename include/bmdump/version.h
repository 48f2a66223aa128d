/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one version number of bmdump: the stub prints it, `bmdump --version`
 * prints it, the Makefile reads it for the DKMS tree (PACKAGE_VERSION) and
 * checks debian/changelog against it (`make check-version`).
 */
#ifndef BMDUMP_VERSION_H
#define BMDUMP_VERSION_H

#define BMDUMP_VERSION	"0.1"

#endif
