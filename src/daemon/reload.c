// SPDX-License-Identifier: GPL-2.0
/* The daemon's configuration: built from the defaults, the file and the command line, its
 * cgroup paths resolved, and applied again on SIGHUP (reload), all or nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "log.h"
#include "recharge.h"
#include "sdnotify.h"
#include "state.h"
#include "util.h"

/* ---- configuration --------------------------------------------------------------------- */

static int override(struct zcg_config *c, const char *option, const char *key, const char *value)
{
	char detail[512];
	int r;

	r = zcg_config_set(c, key, value);
	if (r < 0 && r != -ENOMEM) {
		snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
		return zcg_error(-EINVAL, "%s: %s", option, detail);
	}
	return r;
}

/* Under --sysroot the built-in state paths lie below it: a daemon run on a saved tree
 * never writes the host's history. Paths a configuration file sets are taken as written. */
int config_defaults_below_sysroot(const struct zcg_ctx *ctx, struct zcg_config *c)
{
	char *p;

	if (!ctx->sysroot || !c->history_file)
		return 0;
	p = zcg_state_path(c->history_file);
	if (!p)
		return -ENOMEM;
	free(c->history_file);
	c->history_file = p;
	return 0;
}

/* Defaults, then the file, then the command line (state.h). */
int daemon_build_config(const struct daemon *d, struct zcg_config *ret)
{
	int r = 0;

	zcg_config_init(ret);
	r = config_defaults_below_sysroot(d->ctx, ret);
	if (r == 0 && d->conf.config_path)
		r = zcg_config_load(ret, d->conf.config_path);
	if (r == 0 && d->conf.args->interval)
		r = override(ret, "--interval", "interval", d->conf.args->interval);
	if (r == 0 && d->conf.args->listen)
		r = override(ret, "--listen", "listen", d->conf.args->listen);
	if (r == 0 && d->conf.args->textfile)
		r = override(ret, "--textfile", "textfile_dir", d->conf.args->textfile);
	if (r == 0 && d->conf.args->log_json)
		ret->log_json = true;
	if (r == 0 && d->ctx->under)
		r = override(ret, "--under", "under", d->ctx->under);
	if (r == 0 && d->ctx->no_bpf)
		ret->bpf = false;
	if (r == 0)
		r = zcg_config_check(ret, d->conf.config_path ? d->conf.config_path : "command line");
	if (r < 0)
		zcg_config_done(ret);
	return r;
}

int daemon_resolve_paths(const struct daemon *d, const struct zcg_config *c, char **ret_scope,
			 char **ret_tmpfs)
{
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL;
	char detail[512];
	int r;

	if (c->under) {
		r = zcg_resolve_cgroup(d->ctx->sys, c->under, &scope);
		if (r < 0)
			goto fail_under;
	} else {
		scope = strdup("/");
		if (!scope)
			return -ENOMEM;
	}
	if (c->tmpfs_recharge_target) {
		r = zcg_resolve_cgroup(d->ctx->sys, c->tmpfs_recharge_target, &tmpfs);
		if (r < 0) {
			snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
			return zcg_error(r, "tmpfs_recharge_target: %s", detail);
		}
		/* Not fatal: the cgroup may be set up later. Each reap step checks it again and
		 * leaves tmpfs files alone (saying why) while it cannot take pages. */
		r = zcg_recharge_target_check(d->ctx->sys, tmpfs);
		if (r < 0)
			zlog(LOG_WARNING, "config", "tmpfs_recharge_target: %s; tmpfs files are left alone until it can",
			     zcg_strerror(r));
	}
	*ret_scope = TAKE_PTR(scope);
	*ret_tmpfs = TAKE_PTR(tmpfs);
	return 0;
fail_under:
	snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
	return zcg_error(r, "under: %s", detail);
}

int64_t daemon_budget_burst_ns(double cpus)
{
	/* up to 10 minutes' worth saved up, so a reap step can use a quiet period's savings */
	return (int64_t)(cpus * 600e9);
}

/* ---- history ----------------------------------------------------------------------------- */

int daemon_open_history(struct daemon *d)
{
	struct zcg_history_sample last;
	char detail[512];
	int r;

	if (!d->conf.cfg.history_file)
		return 0;
	r = zcg_history_open(d->conf.cfg.history_file, d->conf.cfg.history_records, &d->res.history);
	if (r == -EBADMSG) {
		_cleanup_free_ char *aside = strdup_printf("%s.bad.%lld", d->conf.cfg.history_file,
							   (long long)time(NULL));

		snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
		if (!aside || rename(d->conf.cfg.history_file, aside) < 0)
			return zcg_error(-EBADMSG, "%s; and it cannot be moved aside", detail);
		zlog(LOG_WARNING, "history", "%s: moved to %s, starting a new history", detail, aside);
		r = zcg_history_open(d->conf.cfg.history_file, d->conf.cfg.history_records, &d->res.history);
	}
	if (r < 0)
		return r;
	/* Keep the cadence across restarts: the next sample is due one interval after the last. */
	d->pace.next_history_ms = daemon_now_ms();
	if (zcg_history_last(d->res.history, &last) == 0) {
		uint64_t now = (uint64_t)time(NULL), interval_s = d->conf.cfg.history_interval_ms / 1000;

		d->pace.last_sample_wall = last.time;
		if (last.time <= now && now - last.time < interval_s)
			d->pace.next_history_ms += (interval_s - (now - last.time)) * 1000;
	}
	return 0;
}

/* ---- reload ------------------------------------------------------------------------------ */

static bool str_changed(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && !streq(a, b));
}

/* Applies the configuration file again. Everything that can fail is tried before anything
 * changes, so a bad file, a cgroup that is gone or a port in use leave the old configuration
 * in force, whole. */
void daemon_reload(struct daemon *d)
{
	struct zcg_config next;
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL;
	struct daemon_http *http = NULL;
	bool http_changed;
	int r;

	zcg_sd_notify("RELOADING=1");
	r = daemon_build_config(d, &next);
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s; the previous configuration stays in force",
		     zcg_strerror(r));
		d->stats.config_ok = false;
		goto out;
	}
	r = daemon_resolve_paths(d, &next, &scope, &tmpfs);
	http_changed = str_changed(next.listen, d->conf.cfg.listen);
	if (r == 0 && http_changed && next.listen) {
		r = daemon_http_start(next.listen, &d->res.pub, &http);
		if (r == -EADDRINUSE && d->res.http) {
			/* Probably the same port on another address: free it, and take the old
			 * address back if the new one still cannot be bound. */
			char detail[512];

			daemon_http_stop(d->res.http);
			d->res.http = NULL;
			r = daemon_http_start(next.listen, &d->res.pub, &http);
			if (r < 0) {
				int again;

				snprintf(detail, sizeof(detail), "%s", zcg_strerror(r));
				again = daemon_http_start(d->conf.cfg.listen, &d->res.pub, &d->res.http);
				if (again < 0)
					zlog(LOG_ERR, "http", "cannot listen on %s again: %s", d->conf.cfg.listen,
					     zcg_strerror(again));
				zcg_error(r, "%s", detail);
			}
		}
	}
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s: %s; the previous configuration stays in force",
		     d->conf.config_path ? d->conf.config_path : "command line",
		     zcg_strerror(r));
		zcg_config_done(&next);
		d->stats.config_ok = false;
		goto out;
	}

	/* Commit. */
	if (http_changed) {
		daemon_http_stop(d->res.http);
		d->res.http = http;
		if (http)
			zlog(LOG_NOTICE, "http", "listening on %s", daemon_http_address(http));
	}
	if (!streq(scope, d->conf.scope)) {
		/* ages are relative to what the census sees: a new scope starts them afresh */
		struct zcg_ages *ages = NULL;

		if (zcg_ages_new(&ages) == 0) {
			zcg_ages_free(d->res.ages);
			d->res.ages = ages;
		}
	}
	free(d->conf.scope);
	d->conf.scope = TAKE_PTR(scope);
	free(d->conf.tmpfs_target);
	d->conf.tmpfs_target = TAKE_PTR(tmpfs);
	if (next.idle_priority != d->conf.cfg.idle_priority)
		zlog(LOG_NOTICE, "config", "idle_priority changes at the next start");
	bool history_changed = str_changed(next.history_file, d->conf.cfg.history_file) ||
			       next.history_records != d->conf.cfg.history_records;
	zcg_config_done(&d->conf.cfg);
	d->conf.cfg = next;
	log_setup(d->conf.cfg.log_json, d->conf.cfg.log_level);
	zcg_budget_bucket_set(&d->res.budget, d->conf.cfg.cpu_budget,
			   daemon_budget_burst_ns(d->conf.cfg.cpu_budget));
	daemon_enable_thresholds(d);
	if (history_changed) {
		zcg_history_close(d->res.history);
		d->res.history = NULL;
		r = daemon_open_history(d);
		if (r < 0)
			zlog(LOG_ERR, "history", "%s: history is off until the next reload",
			     zcg_strerror(r));
	}
	d->stats.config_ok = true;
	d->stats.config_ok_wall = daemon_wall_now();
	zlog(LOG_NOTICE, "config", "reloaded %s: scope %s, interval %.1f s, grace period %.1f s",
	     d->conf.config_path ? d->conf.config_path : "(defaults and command line)", d->conf.scope,
	     d->conf.cfg.interval_ms / 1000.0, d->conf.cfg.grace_ms / 1000.0);
out:
	zcg_sd_notify("READY=1");
}
