/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The release of bmdump: the stub logs it at entry, the tool prints it for
 * --version.  One definition for both.
 */
#ifndef BMDUMP_VERSION_H
#define BMDUMP_VERSION_H

#define BMDUMP_VERSION	"0.1"

#endif /* BMDUMP_VERSION_H */
