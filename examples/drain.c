// SPDX-License-Identifier: LGPL-2.1-or-later
/* How a scheduler written in C drains and removes a job's cgroup with libzombiecg, without
 * forking zombiecg. Build: cc drain.c -lzombiecg -lsmartcols [-lbpf -lelf -lz]
 * Usage: drain CGROUP... (exit 0 clean, 3 memory stayed, 1 error) */
#include <stdio.h>

#include <zombiecg/drain.h>

int main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		struct zcg_drain_opts opts = { .timeout_s = 10 };
		struct zcg_drain_result res;
		int r = zcg_drain(argv[i], &opts, &res);

		if (r < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], zcg_drain_strerror(r));
			for (size_t t = 0; t < res.n_tasks; t++)
				fprintf(stderr, "  task %d\n", (int)res.tasks[t]);
			status = 1;
		}
		for (size_t c = 0; c < res.n_cgroups; c++) {
			const struct zcg_drain_cgroup *cg = &res.cgroups[c];

			printf("%s %llu %llu %s%s\n", cg->path, (unsigned long long)cg->before_bytes,
			       (unsigned long long)cg->after_bytes, cg->removed ? "removed" : "kept",
			       cg->left_zombie ? " zombie" : "");
			for (size_t p = 0; p < cg->n_pins; p++)
				printf("  %s %llu %s\n", cg->pins[p].kind, (unsigned long long)cg->pins[p].bytes,
				       cg->pins[p].reason);
		}
		if (r > 0 && status == 0)
			status = 3;
		zcg_drain_result_free(&res);
	}
	return status;
}
