/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COREDIR as seen by a root service that other users may attack: every
 * file is reached from a directory fd, never through a symlink, and only
 * what the user running bmdump owns is trusted (see issue 12 item 1).
 */
#ifndef BMDUMP_COREDIR_H
#define BMDUMP_COREDIR_H

#include <stddef.h>
#include <stdio.h>

#include "bmdump.h"

/* In COREDIR: `bmdump test --crash` was run; the next save reports. */
#define CRASH_TEST_MARKER	".crash-test"

/* Where the save/prepare lock lives; BMDUMP_LOCK_DIR overrides (tests). */
#define COREDIR_LOCK_DIR	"/run/bmdump"
#define COREDIR_LOCK_NAME	"save.lock"

/*
 * Opens (creating it 0700 if missing) the directory dumps go to; refuses
 * one not owned by the user running bmdump or writable by group/other.
 * Returns the fd or a negative BM_E_* code with the fix in the message.
 */
int coredir_open(const char *path, struct bm_err *e);

/* Takes the lock save and prepare --force share; returns its fd. */
int coredir_lock(const char *who, struct bm_err *e);

/* A subdirectory we own with mode 0700 (not a symlink): fd, or -1. */
int coredir_open_own_dir(int dirfd, const char *name);
/* Makes such a subdirectory; fd, or -1 with errno (EEXIST: name taken). */
int coredir_make_dir(int dirfd, const char *name);
/* Opens a regular file we own (not through a symlink) read-only: fd and
 * its stat, or -1. */
struct stat;
int coredir_open_own_file(int dirfd, const char *name, struct stat *st);
/* Reads a regular file we own into buf (NUL-terminated); 0 or -1. */
int coredir_read_own_file(int dirfd, const char *name, char *buf,
			  size_t size);
/* Replaces name by a new empty 0600 file: fd (O_RDWR), or -1. */
int coredir_create(int dirfd, const char *name);
int coredir_write_file(int dirfd, const char *name, const void *data,
		       size_t len);

/*
 * Is coredir/name a dump directory bmdump save made: our own 0700
 * directory holding our own marker area.<stamp>?
 */
int coredir_is_save_dir(int cfd, const char *name);

/* Removes the files save put in coredir/name, then the directory. */
int coredir_remove_save_dir(int cfd, const char *name);

/*
 * Keeps the newest `keep` dump directories save made, removing older
 * ones (never `protect`); directories others made are not counted.
 */
int coredir_retention(int cfd, const char *coredir, unsigned int keep,
		      const char *protect, FILE *msg);

#endif /* BMDUMP_COREDIR_H */
