// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: make the Nth fault-injectable call of one system call fail
 * (failslab, fail_page_alloc), through /proc/thread-self/fail-nth, and say
 * whether a fault was injected.  A static program run in the initramfs of
 * scripts/kcsan.sh (tests/kcsan/init.sh), so that nothing but the system
 * call itself counts: the module file is opened and the memory touched
 * before fail-nth is armed, and fail-nth is read and disarmed right after.
 *
 *   failnth N load MODULE.ko [PARAMS]   finit_module()
 *   failnth N write FILE TEXT           one write()
 *
 * Prints "failnth: n=N rc=R errno=E injected=yes|no" and exits with 0
 * when the call succeeded, 1 when it failed, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: failnth N load MODULE.ko [PARAMS]\n"
	"       failnth N write FILE TEXT\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	char arm[16], left[16] = "", params[1024] = "";
	int ctl, fd, load, i, err;
	long rc;
	ssize_t n;

	if (argc < 4 || atoi(argv[1]) < 1)
		return usage();
	load = !strcmp(argv[2], "load");
	if (!load && (strcmp(argv[2], "write") || argc != 5))
		return usage();
	for (i = 4; load && i < argc; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	fd = open(argv[3], load ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
	ctl = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ctl < 0) {
		perror(fd < 0 ? argv[3] : "/proc/thread-self/fail-nth");
		return 2;
	}
	snprintf(arm, sizeof(arm), "%d", atoi(argv[1]));

	/* Armed: the next call's Nth allocation fails. */
	if (write(ctl, arm, strlen(arm)) != (ssize_t)strlen(arm)) {
		perror("fail-nth");
		return 2;
	}
	if (load)
		rc = syscall(SYS_finit_module, fd, params, 0);
	else
		rc = write(fd, argv[4], strlen(argv[4]));
	err = rc < 0 ? errno : 0;
	/* What is left of the count: 0 once the fault was injected. */
	n = pread(ctl, left, sizeof(left) - 1, 0);
	if (write(ctl, "0", 1) != 1 || n <= 0) {
		perror("fail-nth");
		return 2;
	}
	printf("failnth: n=%s rc=%ld errno=%d injected=%s\n", arm, rc, err,
	       atoi(left) == 0 ? "yes" : "no");
	return rc < 0;
}
