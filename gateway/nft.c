/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "log.h"
#include "nft.h"

#define NFT_EXEC_FAILED 127

struct nft_run {
	pid_t pid;
	int in, out;		/* our ends: nft's stdin, nft's stdout+stderr */
	const char *text;
	size_t left;
	char *err;
	size_t err_len;
};

static void child(const char *path, int in, int out)
{
	char *const argv[] = { "nft", "-f", "-", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(NFT_EXEC_FAILED);
	/* The daemon's other descriptors (sockets, the database) are none of nft's business. */
	close_range(3, ~0U, 0);
	execve(path, argv, envp);
	dprintf(STDERR_FILENO, "cannot run %s: %s", path, strerror(errno));
	_exit(NFT_EXEC_FAILED);
}

static int start(struct nft_run *r, const char *path)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int ret;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		goto fail;
	r->pid = fork();
	if (r->pid < 0)
		goto fail;
	if (r->pid == 0)
		child(path, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	r->in = in[1];
	r->out = out[0];
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	ret = -errno;
	snprintf(r->err, KGW_NFT_ERR_MAX, "cannot start nft: %s", strerror(-ret));
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return ret;
}

/* Keeps the first KGW_NFT_ERR_MAX - 1 bytes of nft's output and drains the rest. */
static bool read_output(struct nft_run *r)
{
	char chunk[512];
	ssize_t n = read(r->out, chunk, sizeof(chunk));
	size_t keep;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	keep = KGW_NFT_ERR_MAX - 1 - r->err_len;
	if (keep > (size_t)n)
		keep = (size_t)n;
	memcpy(r->err + r->err_len, chunk, keep);
	r->err_len += keep;
	r->err[r->err_len] = '\0';
	return true;
}

static void write_input(struct nft_run *r)
{
	ssize_t n = write(r->in, r->text, r->left);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		/* nft went away before reading it all; its exit status says why. */
		r->left = 0;
	} else {
		r->text += n;
		r->left -= (size_t)n;
	}
	if (r->left == 0) {
		close(r->in);
		r->in = -1;
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds the ruleset and collects the output until nft closes it; false on timeout. */
static bool pump(struct nft_run *r)
{
	long long deadline = now_ms() + KGW_NFT_TIMEOUT_MS;
	struct pollfd p[2];
	bool open = true;

	if (r->left == 0) {
		close(r->in);
		r->in = -1;
	}
	while (open) {
		long long wait = deadline - now_ms();

		if (wait <= 0)
			return false;
		p[0] = (struct pollfd){ .fd = r->out, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = r->in, .events = POLLOUT };
		if (poll(p, r->in >= 0 ? 2 : 1, (int)wait) < 0 && errno != EINTR)
			return false;
		if (r->in >= 0 && p[1].revents)
			write_input(r);
		if (p[0].revents)
			open = read_output(r);
	}
	return true;
}

static int finish(struct nft_run *r, bool timed_out)
{
	int status;

	if (r->in >= 0)
		close(r->in);
	close(r->out);
	if (timed_out)
		kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -ECHILD;
	if (timed_out) {
		snprintf(r->err, KGW_NFT_ERR_MAX, "nft did not finish in %d ms: killed",
			 KGW_NFT_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == NFT_EXEC_FAILED)
		return -ENOENT;
	if (r->err_len == 0)
		snprintf(r->err, KGW_NFT_ERR_MAX, "nft failed (status %d) and said nothing", status);
	return -EIO;
}

int kgw_nft_apply(const char *nft_path, const char *ruleset, char err[static KGW_NFT_ERR_MAX])
{
	struct nft_run r = { .text = ruleset, .left = strlen(ruleset), .err = err };
	sigset_t pipe_set, old;
	char quoted[KGW_NFT_ERR_MAX];
	bool done;
	int ret;

	err[0] = '\0';
	/* nft may exit before reading everything: take EPIPE, not a SIGPIPE that kills kgwd. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ret = start(&r, nft_path ? nft_path : KGW_NFT_PATH);
	if (ret == 0) {
		done = pump(&r);
		ret = finish(&r, !done);
	}
	if (!sigismember(&old, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (ret < 0)
		kgw_err("nft -f -: %s", kgw_log_quote(err, quoted, sizeof(quoted)));
	return ret;
}
