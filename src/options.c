// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "output.h"
#include "util.h"

static int parse_number_in(const char *arg, double min, double max, double *ret)
{
	double v;
	int r;

	r = parse_decimal(arg, &v);
	if (r < 0)
		return -EINVAL;
	if (!(v >= min) || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* A bound as a user would type it: 0.000001 and 1000000, never 1e-06 or 1e+06. */
static const char *plain(double v, char *buf, size_t size)
{
	char *end;

	snprintf(buf, size, "%.6f", v);
	end = buf + strlen(buf);
	while (end > buf && end[-1] == '0')
		*--end = '\0';
	if (end > buf && end[-1] == '.')
		*--end = '\0';
	return buf;
}

int zcg_parse_number_option(struct zcg_ctx *ctx, const struct zcg_number_option *o, const char *arg,
			    double *ret)
{
	char min[48], max[48];
	int r;

	r = parse_number_in(arg, o->min, o->max, ret);
	if (r == 0)
		return 0;
	plain(o->min, min, sizeof(min));
	plain(o->max, max, sizeof(max));
	if (r == -ERANGE)
		return zcg_usage_error(ctx, "%s: --%s %s is out of range: from %s to %s (%s)", o->command,
				       o->name, arg, min, max, o->unit), -EINVAL;
	return zcg_usage_error(ctx, "%s: --%s '%s' is not %s (%s, from %s to %s)", o->command, o->name,
			       arg, o->what ? o->what : "a number", o->unit, min, max), -EINVAL;
}
