// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coredir.h"
#include "save.h"

/*
 * The directory must be ours and only ours to write: anyone else who can
 * add names in it can plant symlinks and fake dumps for root to follow.
 */
static int check_private_dir(int fd, const char *what, const char *path,
			     struct bm_err *e)
{
	struct stat st;

	if (fstat(fd, &st))
		return bm_seterr(e, BM_E_IO, "cannot stat %s %s: %s", what,
				 path, strerror(errno));
	if (st.st_uid != geteuid())
		return bm_seterr(e, BM_E_REFUSED, "%s %s is owned by uid %u, "
				 "not by root (uid %u): chown root:root %s, "
				 "or point it at a directory only root can "
				 "write", what, path, (unsigned int)st.st_uid,
				 (unsigned int)geteuid(), path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return bm_seterr(e, BM_E_REFUSED, "%s %s is %s (mode %04o): "
				 "other users could plant files that root's "
				 "save would follow; chmod go-w %s, or point "
				 "it at a directory only root can write (e.g. "
				 "/var/crash/bmdump, mode 0700)", what, path,
				 st.st_mode & S_IWOTH ? "other-writable" :
				 "group-writable",
				 (unsigned int)(st.st_mode & 07777), path);
	return 0;
}

static int open_private_dir(const char *path, const char *what,
			    struct bm_err *e)
{
	int fd, r;

	if (mkdir(path, 0700) && errno != EEXIST)
		return bm_seterr(e, BM_E_IO, "cannot create %s %s: %s", what,
				 path, strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bm_seterr(e, BM_E_IO, "cannot open %s %s: %s", what,
				 path, strerror(errno));
	r = check_private_dir(fd, what, path, e);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

int coredir_open(const char *path, struct bm_err *e)
{
	return open_private_dir(path, "COREDIR", e);
}

int coredir_lock(const char *who, struct bm_err *e)
{
	const char *dir = getenv("BMDUMP_LOCK_DIR");
	struct stat st;
	int dfd, fd;

	if (!dir || !*dir)
		dir = COREDIR_LOCK_DIR;
	dfd = open_private_dir(dir, "lock directory", e);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, COREDIR_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		if (fd >= 0)
			close(fd);
		return bm_seterr(e, BM_E_IO, "cannot open the lock %s/%s: "
				 "remove it and run bmdump %s again", dir,
				 COREDIR_LOCK_NAME, who);
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return bm_seterr(e, BM_E_REFUSED, "another bmdump save or "
				 "prepare is running (lock %s/%s): wait for "
				 "it and run bmdump %s again", dir,
				 COREDIR_LOCK_NAME, who);
	}
	return fd;
}

int coredir_open_own_dir(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0700) {
		close(fd);
		return -1;
	}
	return fd;
}

int coredir_make_dir(int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0700))
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	/* Whatever the umask did: 0700, as coredir_open_own_dir wants. */
	if (fd >= 0 && fchmod(fd, 0700)) {
		close(fd);
		return -1;
	}
	return fd;
}

int coredir_open_own_file(int dirfd, const char *name, struct stat *st)
{
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) ||
	    st->st_uid != geteuid()) {
		close(fd);
		return -1;
	}
	return fd;
}

int coredir_read_own_file(int dirfd, const char *name, char *buf,
			  size_t size)
{
	struct stat st;
	int fd = coredir_open_own_file(dirfd, name, &st);

	if (fd < 0)
		return -1;
	return read_fd_text(fd, buf, size) < 0 ? -1 : 0;
}

int coredir_create(int dirfd, const char *name)
{
	int fd;

	if (unlinkat(dirfd, name, 0) && errno != ENOENT)
		return -1;
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd >= 0 && fchmod(fd, 0600)) {
		close(fd);
		return -1;
	}
	return fd;
}

int coredir_write_file(int dirfd, const char *name, const void *data,
		       size_t len)
{
	int fd = coredir_create(dirfd, name);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	if (fsync(fd) || close(fd) || n != (ssize_t)len)
		return -1;
	return 0;
}

int coredir_is_save_dir(int cfd, const char *name)
{
	char marker[32], text[256];
	int dfd, ok;

	if (!save_is_dump_dir_name(name))
		return 0;
	dfd = coredir_open_own_dir(cfd, name);
	if (dfd < 0)
		return 0;
	snprintf(marker, sizeof(marker), "area.%.12s", name);
	ok = coredir_read_own_file(dfd, marker, text, sizeof(text)) == 0 &&
	     !strncmp(text, "area=", 5);
	close(dfd);
	return ok;
}

int coredir_remove_save_dir(int cfd, const char *name)
{
	struct dirent *d;
	DIR *dp;
	int dfd;

	dfd = coredir_open_own_dir(cfd, name);
	if (dfd < 0)
		return -1;
	dp = fdopendir(dfd);
	if (!dp) {
		close(dfd);
		return -1;
	}
	while ((d = readdir(dp)) != NULL)
		if (d->d_type != DT_DIR)
			unlinkat(dfd, d->d_name, 0);
	closedir(dp);
	return unlinkat(cfd, name, AT_REMOVEDIR);
}

int coredir_retention(int cfd, const char *coredir, unsigned int keep,
		      const char *protect, FILE *msg)
{
	char *names[4096];
	unsigned int n = 0, del, i;
	struct dirent *d;
	DIR *dp;
	int fd;

	if (!keep)
		return 0;
	fd = dup(cfd);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dp);	/* the dup shares cfd's offset */
	while ((d = readdir(dp)) != NULL && n < 4096) {
		if (!coredir_is_save_dir(cfd, d->d_name))
			continue;
		names[n] = strdup(d->d_name);
		if (names[n])
			n++;
	}
	closedir(dp);
	del = save_retention_select(names, n, keep);
	for (i = 0; i < n; i++) {
		if (i < del && strcmp(names[i], protect)) {
			if (coredir_remove_save_dir(cfd, names[i]) == 0)
				fprintf(msg, "bmdump: removed old dump %s/%s "
					"(KEEP=%u)\n", coredir, names[i], keep);
			else
				fprintf(msg, "bmdump: warning: cannot remove "
					"%s/%s: %s\n", coredir, names[i],
					strerror(errno));
		}
		free(names[i]);
	}
	return 0;
}
