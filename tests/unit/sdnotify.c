// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sdnotify.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	char path[] = "/tmp/zcg-notify-test.XXXXXX", sock[128], buf[256], pid[32];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t usec = 0;
	ssize_t n;
	int fd;

	unsetenv("NOTIFY_SOCKET");
	is_int(zcg_sd_notify("READY=1"), 0, "no NOTIFY_SOCKET: nothing sent, no error");
	if (!mkdtemp(path))
		return 1;
	snprintf(sock, sizeof(sock), "%s/notify", path);
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "listening on %s", sock);
	setenv("NOTIFY_SOCKET", sock, 1);
	is_int(zcg_sd_notify("READY=1\nSTATUS=3 dying"), 1, "sent to a path socket");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "READY=1\nSTATUS=3 dying", "the datagram holds the state");
	close(fd);
	unlink(sock);
	rmdir(path);

	/* abstract namespace */
	snprintf(sock, sizeof(sock), "@zcg-notify-test-%d", (int)getpid());
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, sock + 1, strlen(sock) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sock))) == 0,
	   "listening on abstract %s", sock);
	setenv("NOTIFY_SOCKET", sock, 1);
	is_int(zcg_sd_notify("WATCHDOG=1"), 1, "sent to an abstract socket");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "WATCHDOG=1", "abstract datagram");
	close(fd);
	setenv("NOTIFY_SOCKET", "relative", 1);
	is_int(zcg_sd_notify("READY=1"), -EINVAL, "a relative socket path is refused");
	unsetenv("NOTIFY_SOCKET");

	unsetenv("WATCHDOG_USEC");
	is_int(zcg_sd_watchdog_usec(&usec), 0, "no watchdog");
	setenv("WATCHDOG_USEC", "20000000", 1);
	unsetenv("WATCHDOG_PID");
	is_int(zcg_sd_watchdog_usec(&usec), 1, "watchdog without a pid is ours");
	is_int(usec, 20000000, "20 s");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	is_int(zcg_sd_watchdog_usec(&usec), 1, "watchdog for our pid");
	setenv("WATCHDOG_PID", "1", 1);
	is_int(zcg_sd_watchdog_usec(&usec), 0, "watchdog for another pid is not ours");
	setenv("WATCHDOG_USEC", "soon", 1);
	is_int(zcg_sd_watchdog_usec(&usec), -EINVAL, "malformed WATCHDOG_USEC");
	return done_testing();
}
