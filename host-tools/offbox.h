/* SPDX-License-Identifier: GPL-2.0 */
/*
 * After save: a copy of the dump directory on another machine, the way
 * kdump-tools ships dumps to a central host: over SSH (SSH=user@host,
 * SSH_KEY=, SSH_PORT=, SSH_PATH=) with the system's ssh and scp, and/or to
 * an NFS export (NFS=server:/export) with the system's mount.  Run with
 * fork/exec, never a shell; the copy lands as <node>-<dir>.part and is
 * renamed when whole.  A failed copy leaves the local dump in place.
 */
#ifndef BMDUMP_OFFBOX_H
#define BMDUMP_OFFBOX_H

#include "config.h"

/* Copies coredir/name (a directory save made) to every configured
 * target; with KEEP_LOCAL=no and every copy made, removes the local one.
 * 0 (also: nothing configured) or BM_E_EXTERNAL / BM_E_IO. */
int offbox_copy(const struct bm_config *c, int cfd, const char *coredir,
		const char *name, struct bm_err *e);

#endif /* BMDUMP_OFFBOX_H */
