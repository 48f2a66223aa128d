// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

int run_cmd(char *const argv[], const char *stdin_text, char *out,
	    size_t out_size)
{
	int in[2], o[2], status;
	size_t used = 0, inlen = stdin_text ? strlen(stdin_text) : 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return 127;
	if (pipe2(o, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return 127;
	}
	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(o[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	signal(SIGPIPE, SIG_IGN);
	if (inlen && write(in[1], stdin_text, inlen) < 0)
		(void)0;	/* the child's exit status tells */
	close(in[1]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(o[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && used + 1 < out_size) {
			size_t k = (size_t)n;

			if (k > out_size - 1 - used)
				k = out_size - 1 - used;
			memcpy(out + used, buf, k);
			used += k;
		}
	}
	if (out && out_size)
		out[used] = 0;
	close(o[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
