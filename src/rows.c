// SPDX-License-Identifier: GPL-2.0
/* How many rows of a long human table are shown (list, explain). */
#include <stdio.h>

#include "columns.h"
#include "zombiecg.h"

bool zcg_show_all;

const struct option zcg_all_options[] = {
	{ "all", no_argument, NULL, ZCG_OPT_ALL },
	ZCG_TABLE_OPTIONS,
	{},
};

int zcg_parse_all_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	if (opt != ZCG_OPT_ALL)
		return zcg_parse_table_option_only(ctx, opt, arg);
	zcg_show_all = true;
	return 0;
}

size_t zcg_rows_shown(size_t n)
{
	return zcg_show_all || zcg_table_raw() || n <= ZCG_HUMAN_ROWS ? n : ZCG_HUMAN_ROWS;
}

void zcg_print_rows_left(size_t shown, size_t n, const char *what)
{
	if (shown < n)
		printf("... and %zu more %s (%zu in all): --all shows every one, --json lists them for "
		       "machines, --under PATH narrows the list.\n", n - shown, what, n);
}
