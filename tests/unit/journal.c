// SPDX-License-Identifier: GPL-2.0
/* The settings journal: values are restored after a normal run, after a crash (by the
 * next start), and never while the owner still runs. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "journal.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/zcg-journal-XXXXXX";

static char *file_in(const char *name)
{
	return path_join(dir, name);
}

static char *slurp(const char *name)
{
	char *p = file_in(name), *buf = NULL;

	read_full_file(p, &buf, NULL);
	free(p);
	if (buf)
		buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

int main(void)
{
	struct zcg_journal *j = NULL;
	char *a, *b, *v;
	size_t restored = 0;
	int pipefd[2], status;
	pid_t pid;

	if (!mkdtemp(dir))
		return 1;
	a = file_in("a.memory.min");
	b = file_in("b.memory.min");
	FILE *f = fopen(a, "w"); fputs("0\n", f); fclose(f);
	f = fopen(b, "w"); fputs("max\n", f); fclose(f);

	/* normal run */
	is_int(zcg_journal_begin(dir, "t", &j), 0, "begin");
	is_int(zcg_journal_set(j, a, "1000"), 0, "set a");
	is_int(zcg_journal_set(j, b, "2000"), 0, "set b");
	is_str((v = slurp("a.memory.min")), "1000", "a changed");
	free(v);
	is_int(zcg_journal_begin(dir, "t", &(struct zcg_journal *){NULL}), -EEXIST, "a second journal is refused");
	is_int(zcg_journal_recover(dir, "t", &restored), 1, "recover leaves a journal whose owner lives");
	is_str((v = slurp("a.memory.min")), "1000", "and does not touch the values");
	free(v);
	is_int(zcg_journal_restore(j), 0, "restore");
	is_str((v = slurp("a.memory.min")), "0", "a restored");
	free(v);
	is_str((v = slurp("b.memory.min")), "max", "b restored");
	free(v);
	ok(access(dir, F_OK) == 0 && !slurp("t.journal"), "journal removed");

	/* crash: the owner dies after changing the values */
	if (pipe(pipefd) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		struct zcg_journal *cj;

		if (zcg_journal_begin(dir, "t", &cj) < 0 || zcg_journal_set(cj, a, "5555") < 0 ||
		    zcg_journal_set(cj, b, "6666") < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	if (read(pipefd[0], &c, 1) != 1)
		return 1;
	is_str((v = slurp("b.memory.min")), "6666", "the crashing run changed b");
	free(v);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	is_int(zcg_journal_recover(dir, "t", &restored), 0, "recover after the crash");
	is_int(restored, 2, "two settings written back");
	is_str((v = slurp("a.memory.min")), "0", "a restored after the crash");
	free(v);
	is_str((v = slurp("b.memory.min")), "max", "b restored after the crash");
	free(v);
	is_int(zcg_journal_recover(dir, "t", &restored), 0, "nothing left to recover");

	/* a torn last line is ignored: that change was never made */
	v = file_in("t.journal");
	f = fopen(v, "w");
	free(v);
	fprintf(f, "0\t%s\n77", a);
	fclose(f);
	f = fopen(a, "w"); fputs("123\n", f); fclose(f);
	is_int(zcg_journal_recover(dir, "t", &restored), 0, "recover a torn journal");
	is_str((v = slurp("a.memory.min")), "0", "the complete entry is restored");
	free(v);

	unlink(a);
	unlink(b);
	rmdir(dir);
	free(a);
	free(b);
	return done_testing();
}
