/* SPDX-License-Identifier: GPL-2.0 */
/* Command option values: one parser for every option that takes a number in a range, so
 * that each says the same thing about a bad value. */
#ifndef ZCG_OPTIONS_H
#define ZCG_OPTIONS_H

struct zcg_ctx;

/* An option taking such a number: "reap --max-cpu" is { "reap", "max-cpu", 0.01, 100,
 * "percent of one CPU" }. */
struct zcg_number_option {
	const char *command;
	const char *name;	/* without the dashes */
	double min, max;
	const char *unit;	/* what the number counts, for the messages */
	const char *what;	/* what it is, "a size"; NULL: "a number" */
};

/* Parses arg for o into *ret: a plain decimal number (no sign, exponent or hex) from o->min to
 * o->max that fills arg. Returns 0, or -EINVAL after zcg_usage_error() saying
 * "<command>: --<name> <arg> is out of range: from <min> to <max> (<unit>)" or
 * "<command>: --<name> '<arg>' is not <what> (<unit>, from <min> to <max>)". */
int zcg_parse_number_option(struct zcg_ctx *ctx, const struct zcg_number_option *o, const char *arg,
			    double *ret);

#endif
