// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "coredir.h"
#include "offbox.h"
#include "run.h"

#define OFFBOX_OUT	4096
#define OFFBOX_ARGS	24

/* <node>-<name>: dumps of many machines share one directory there.  The
 * node name is cut to what config.c lets into SSH_PATH, so the remote
 * shell ssh runs our commands in sees no metacharacter. */
static void dest_name(const char *name, char *out, size_t size)
{
	struct utsname u;
	size_t i;

	if (uname(&u))
		snprintf(u.nodename, sizeof(u.nodename), "localhost");
	for (i = 0; u.nodename[i]; i++)
		if (!isalnum((unsigned char)u.nodename[i]) &&
		    !strchr(".-_", u.nodename[i]))
			u.nodename[i] = '_';
	snprintf(out, size, "%s-%s", u.nodename[0] == '-' ? "_" :
		 u.nodename, name);
}

/* ssh's or scp's options; returns the count put in av. */
static int ssh_opts(const struct bm_config *c, char **av, char *port,
		    const char *port_flag)
{
	int n = 0;

	av[n++] = (char *)"-o";
	av[n++] = (char *)"BatchMode=yes";
	if (c->ssh_key[0]) {
		av[n++] = (char *)"-i";
		av[n++] = (char *)c->ssh_key;
	}
	if (c->ssh_port) {
		snprintf(port, 8, "%u", c->ssh_port);
		av[n++] = (char *)port_flag;
		av[n++] = port;
	}
	return n;
}

/* ssh user@host CMD (CMD built only from checked words). */
static int ssh_run(const struct bm_config *c, const char *cmd, char *out)
{
	char *av[OFFBOX_ARGS], port[8];
	int n = 0;

	av[n++] = (char *)"ssh";
	n += ssh_opts(c, av + n, port, "-p");
	av[n++] = (char *)"--";
	av[n++] = (char *)c->ssh;
	av[n++] = (char *)cmd;
	av[n] = NULL;
	return run_cmd(av, NULL, out, OFFBOX_OUT);
}

static int copy_ssh(const struct bm_config *c, const char *local,
		    const char *dest, struct bm_err *e)
{
	char cmd[2 * PATH_MAX + 128], remote[PATH_MAX + 300];
	char *av[OFFBOX_ARGS], port[8], *out;
	int n = 0, rc;

	out = malloc(OFFBOX_OUT);
	if (!out)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && rm -rf %s/%s.part",
		 c->ssh_path, c->ssh_path, dest);
	rc = ssh_run(c, cmd, out);
	if (!rc) {
		snprintf(remote, sizeof(remote), "%s:%s/%s.part", c->ssh,
			 c->ssh_path, dest);
		av[n++] = (char *)"scp";
		av[n++] = (char *)"-q";
		av[n++] = (char *)"-r";
		av[n++] = (char *)"-p";
		n += ssh_opts(c, av + n, port, "-P");
		av[n++] = (char *)"--";
		av[n++] = (char *)local;
		av[n++] = remote;
		av[n] = NULL;
		rc = run_cmd(av, NULL, out, OFFBOX_OUT);
	}
	if (!rc) {
		snprintf(cmd, sizeof(cmd), "test ! -e %s/%s && mv %s/%s.part "
			 "%s/%s", c->ssh_path, dest, c->ssh_path, dest,
			 c->ssh_path, dest);
		rc = ssh_run(c, cmd, out);
	}
	if (rc)
		bm_seterr(e, BM_E_EXTERNAL, "copy to %s:%s/%s failed (exit "
			  "%d): %.300s", c->ssh, c->ssh_path, dest, rc, out);
	free(out);
	return rc ? BM_E_EXTERNAL : 0;
}

/* One of our regular files, dir fd to dir fd. */
static int copy_file(int sfd, int dfd, const char *name)
{
	char buf[1 << 16];
	struct stat st;
	ssize_t n = 0;
	int in, out, r = 0;

	in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	if (fstat(in, &st) || !S_ISREG(st.st_mode)) {
		close(in);
		return 0;	/* save makes only regular files */
	}
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while (!r && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			r = -1;
	if (n < 0 || fsync(out))
		r = -1;
	close(in);
	if (close(out))
		r = -1;
	return r;
}

/* Every file of local (fd sfd) into mnt/dest.part, renamed dest. */
static int copy_tree(int sfd, int mfd, const char *dest)
{
	char part[300];
	struct dirent *d;
	DIR *dp;
	int dfd, fd, r = 0;

	snprintf(part, sizeof(part), "%s.part", dest);
	dfd = coredir_make_dir(mfd, part);
	fd = dup(sfd);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (dfd < 0 || !dp) {
		if (dfd >= 0)
			close(dfd);
		if (dp)
			closedir(dp);
		else if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dp);
	while (!r && (d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			r = copy_file(sfd, dfd, d->d_name);
	closedir(dp);
	close(dfd);
	if (!r && renameat(mfd, part, mfd, dest))
		r = -1;
	return r;
}

static int copy_nfs(const struct bm_config *c, int sfd, const char *dest,
		    struct bm_err *e)
{
	const char *base = getenv("BMDUMP_LOCK_DIR");
	char mnt[PATH_MAX], out[OFFBOX_OUT];
	char *mount_av[] = { (char *)"mount", (char *)"-t", (char *)"nfs",
			     (char *)c->nfs, mnt, NULL };
	char *umount_av[] = { (char *)"umount", mnt, NULL };
	int rc, mfd, r = 0;

	snprintf(mnt, sizeof(mnt), "%s/nfs.XXXXXX",
		 base && *base ? base : COREDIR_LOCK_DIR);
	if (!mkdtemp(mnt))
		return bm_seterr(e, BM_E_IO, "cannot make a mount point %s: "
				 "%s", mnt, strerror(errno));
	rc = run_cmd(mount_av, NULL, out, sizeof(out));
	if (rc) {
		rmdir(mnt);
		return bm_seterr(e, BM_E_EXTERNAL, "mount %s failed (exit "
				 "%d): %.300s", c->nfs, rc, out);
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0 || copy_tree(sfd, mfd, dest))
		r = bm_seterr(e, BM_E_IO, "copy to %s/%s failed: %s", c->nfs,
			      dest, strerror(errno));
	if (mfd >= 0)
		close(mfd);
	if (run_cmd(umount_av, NULL, out, sizeof(out)) && !r)
		fprintf(stderr, "bmdump: warning: umount %s: %s", mnt, out);
	rmdir(mnt);
	return r;
}

int offbox_copy(const struct bm_config *c, int cfd, const char *coredir,
		const char *name, struct bm_err *e)
{
	char local[PATH_MAX], dest[300];
	int sfd, r = 0, copies = 0;

	if (!c->ssh[0] && !c->nfs[0])
		return 0;
	dest_name(name, dest, sizeof(dest));
	snprintf(local, sizeof(local), "%s/%s", coredir, name);
	sfd = coredir_open_own_dir(cfd, name);
	if (sfd < 0)
		return bm_seterr(e, BM_E_IO, "cannot open %s", local);
	if (c->ssh[0]) {
		r = copy_ssh(c, local, dest, e);
		if (!r) {
			printf("bmdump: copied %s to %s:%s/%s\n", local,
			       c->ssh, c->ssh_path, dest);
			copies++;
		}
	}
	if (c->nfs[0] && !r) {
		r = copy_nfs(c, sfd, dest, e);
		if (!r) {
			printf("bmdump: copied %s to %s/%s\n", local, c->nfs,
			       dest);
			copies++;
		}
	}
	close(sfd);
	if (r)
		return bm_seterr(e, r, "%s; the dump stays in %s", e->msg,
				 local);
	if (!c->keep_local && copies) {
		if (coredir_remove_save_dir(cfd, name))
			fprintf(stderr, "bmdump: warning: cannot remove %s: "
				"%s\n", local, strerror(errno));
		else
			printf("bmdump: removed %s (KEEP_LOCAL=no)\n", local);
	}
	return 0;
}
