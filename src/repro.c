// SPDX-License-Identifier: GPL-2.0
#include "zombiecg.h"
static int repro_run(struct zcg_ctx *ctx, int argc, char **argv) { return zcg_fail(ctx, 0, "repro: not yet"); }
const struct zcg_command cmd_repro = { .name = "repro", .args = "", .summary = "make zombies on purpose", .run = repro_run };
