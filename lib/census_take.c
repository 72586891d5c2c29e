// SPDX-License-Identifier: GPL-2.0
/* Which source a census or an explanation reads: BPF where it can run, else cgroupfs (and
 * the estimate), with the reason BPF was not used. Apart from both sources, which it picks
 * between (lib/census.c, lib/census_bpf.c). */
#include <errno.h>
#include <string.h>

#include "census.h"
#include "error.h"
#include "util.h"

char *zcg_bpf_not_here(const struct zcg_sys *sys, bool no_bpf, const char *also_needs)
{
	if (no_bpf)
		return strdup("--no-bpf given");
	if (sys->sysroot[0])
		/* BPF reads the running kernel, never a saved tree. */
		return strdup_printf("--sysroot %s given: BPF reads only the running kernel", sys->sysroot);
	if (!zcg_is_root())
		return strdup_printf("not root: BPF needs CAP_BPF and CAP_SYS_ADMIN%s%s", also_needs ? ", " : "",
				     also_needs ? also_needs : "");
	return NULL;
}

int zcg_census_take(const struct zcg_sys *sys, const struct zcg_census_opts *opts,
		    struct zcg_census **ret_census)
{
	_cleanup_free_ char *note = NULL;
	struct zcg_census *c = NULL;
	const char *scope = opts->scope ? opts->scope : "/";
	int r;

	note = zcg_bpf_not_here(sys, opts->no_bpf, NULL);
	if (!note) {
		r = zcg_census_bpf(sys, scope, &c);
		if (r >= 0) {
			*ret_census = c;
			return 0;
		}
		note = strdup(zcg_strerror(r));
	}
	r = zcg_census_cgroupfs(sys, scope, &c);
	if (r < 0)
		return r;
	c->source_note = TAKE_PTR(note);
	*ret_census = c;
	return 0;
}
