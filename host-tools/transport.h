/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Can the stub reach the disk an area lies on?  /sys (under
 * $BMDUMP_SYSROOT) leads from the partition to the PCI function that
 * drives its disk; the stub's own rule (include/bmdump/transport.h) says
 * whether it has a driver for that function.
 */
#ifndef BMDUMP_HOST_TRANSPORT_H
#define BMDUMP_HOST_TRANSPORT_H

#include <stddef.h>

#include "bmdump/transport.h"

/*
 * The BMDUMP_TRANSPORT_* that reaches partition device dev ("/dev/sda1"),
 * or BMDUMP_TRANSPORT_NONE with why (and what to do) in why.
 */
int disk_transport(const char *dev, char *why, size_t size);

#endif /* BMDUMP_HOST_TRANSPORT_H */
