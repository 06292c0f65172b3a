/* SPDX-License-Identifier: MIT */
/* kgwd's control-socket transport on a real socket and loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "unit.h"

static char dir[] = "/tmp/kgw-test-control-XXXXXX";
static char path[128];
static struct ev_loop *loop;
static struct kgw_control *ctl;
static int calls;

static char *echo_handler(void *ctx, const struct kgw_control_peer *peer, const char *line, size_t len)
{
	char *r = malloc(len + 16);

	(void)ctx;
	ck_assert_int_eq(peer->uid, getuid());
	calls++;
	snprintf(r, len + 16, "re:%s", line);
	return r;
}

static void setup(void)
{
	int err = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kgwd.sock", dir);
	loop = ev_loop_new(EVFLAG_AUTO);
	ctl = kgw_control_new(loop, path, getgid(), echo_handler, NULL, &err);
	ck_assert_msg(ctl != NULL, "kgw_control_new: %s", strerror(-err));
	calls = 0;
}

static void teardown(void)
{
	kgw_control_free(ctl);
	ev_loop_destroy(loop);
	rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static int client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Runs the loop until `fd' is readable (or 2 s pass); returns what was read. */
static ssize_t exchange(int fd, char *buf, size_t len)
{
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ev_run(loop, EVRUN_NOWAIT);
		if (poll(&p, 1, 1) == 1)
			return recv(fd, buf, len, 0);
	}
	return -ETIMEDOUT;
}

START_TEST(test_request_reply)
{
	int fd = client();
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(send(fd, "ping\n", 5, 0), 5);
	n = exchange(fd, buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 8);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "re:ping\n");
	close(fd);
}
END_TEST

/* Two requests in one write get two replies, in order. */
START_TEST(test_pipelined)
{
	int fd = client();
	char buf[256] = "";
	size_t got = 0;

	ck_assert_int_eq(send(fd, "a\nbb\n", 5, 0), 5);
	while (got < 10) {
		ssize_t n = exchange(fd, buf + got, sizeof(buf) - 1 - got);

		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	ck_assert_str_eq(buf, "re:a\nre:bb\n");
	ck_assert_int_eq(calls, 2);
	close(fd);
}
END_TEST

/* A line longer than the limit drops the client without calling the handler. */
START_TEST(test_overlong_line)
{
	int fd = client();
	static char big[KGW_CONTROL_LINE_MAX + 10];
	char buf[16];
	size_t sent = 0;

	memset(big, 'x', sizeof(big));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < sizeof(big)) {
		ssize_t n = send(fd, big + sent, sizeof(big) - sent, MSG_NOSIGNAL);

		if (n > 0)
			sent += (size_t)n;
		else if (errno != EAGAIN)
			break;
		ev_run(loop, EVRUN_NOWAIT);
	}
	fcntl(fd, F_SETFL, 0);
	ck_assert_int_le(exchange(fd, buf, sizeof(buf)), 0);	/* closed */
	ck_assert_int_eq(calls, 0);
	close(fd);
}
END_TEST

/* The socket is 0660: only the owner and the kgw group can connect. */
START_TEST(test_mode)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	ck_assert_int_eq(st.st_gid, getgid());
}
END_TEST

/* A second server on the same path is refused; the socket is removed on free. */
START_TEST(test_live_socket_not_stolen)
{
	int err = 0;

	ck_assert_ptr_null(kgw_control_new(loop, path, getgid(), echo_handler, NULL, &err));
	ck_assert_int_eq(err, -EADDRINUSE);
	ck_assert_int_eq(access(path, F_OK), 0);
	kgw_control_free(ctl);
	ctl = NULL;
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_request_reply);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_test(tc, test_mode);
	tcase_add_test(tc, test_live_socket_not_stolen);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
