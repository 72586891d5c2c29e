// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "census.h"
#include "util.h"

int zcg_census_bpf(const struct zcg_sys *sys, const char *scope, struct zcg_census **ret_census,
		   char **ret_reason)
{
	*ret_reason = strdup("this build has no BPF support");
	return -EOPNOTSUPP;
}
