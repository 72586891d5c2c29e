// SPDX-License-Identifier: GPL-2.0
/* zombiecg daemon: a census every interval, ages for the grace period, a reap step behind
 * reap.c, metrics over HTTP and as a node_exporter textfile, a history ring, and the
 * systemd service protocol (Type=notify, watchdog, SIGHUP reload, SIGTERM stop).
 *
 * One loop in the main thread does everything that reads or changes the system, between
 * signals; the HTTP thread only copies text the loop rendered. A signal is read at the top of
 * the loop, so SIGTERM lets the current step finish (the reap step also sees it through its
 * cancelled() callback) and SIGHUP never lands in the middle of a census.
 *
 * This file is the loop: start, the census step, the reap step's call, signals, stop.
 * reload.c builds and applies the configuration, publish.c turns each step into metrics,
 * the textfile and the history; state.h is the state they share. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>

#include "error.h"
#include "log.h"
#include "sdnotify.h"
#include "state.h"
#include "text.h"
#include "util.h"

enum {
	OPT_CONFIG = 0x300,
	OPT_INTERVAL,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_LOG_JSON,
	OPT_ONCE,
	OPT_CHECK_CONFIG,
};

static const struct option daemon_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "log-json", no_argument, NULL, OPT_LOG_JSON },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{},
};

static struct daemon_args daemon_args;

/* Zombies handed to one reap step: it explains just those, so a step's cost follows its
 * batch (see reap() for how the batch adapts). */
#define REAP_BATCH_MIN 256
#define REAP_BATCH_FIRST 4096
#define REAP_BATCH_MAX 65536

/* ---- clocks and the process ------------------------------------------------------------ */


#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1

/* SCHED_IDLE and the idle I/O class: the daemon only runs when nothing else wants to. Set
 * before the HTTP thread starts, which inherits both. Already so (zombiecg.service's
 * CPUSchedulingPolicy=idle, IOSchedulingClass=idle), nothing is set: the unit's seccomp
 * filter denies the @resources system calls. */
static void set_idle_priority(void)
{
	struct sched_param param = { 0 };

	if (sched_getscheduler(0) != SCHED_IDLE && sched_setscheduler(0, SCHED_IDLE, &param) < 0)
		zlog(LOG_WARNING, "priority", "cannot switch to SCHED_IDLE: %s", strerror(errno));
	if (syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) >> IOPRIO_CLASS_SHIFT != IOPRIO_CLASS_IDLE &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) < 0)
		zlog(LOG_WARNING, "priority", "cannot switch to the idle I/O class: %s", strerror(errno));
}

static bool term_pending(void *userdata)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

/* ---- thresholds ---------------------------------------------------------------------------- */

static void reap(struct daemon *d, const struct zcg_age_target *targets, size_t n)
{
	struct daemon_reap_outcome out;
	struct daemon_reap_request req = {
		.sys = d->ctx->sys,
		.scope = d->conf.scope,
		.targets = targets,
		.n_targets = n,
		.protected_reclaim = d->conf.cfg.protected_reclaim,
		.tmpfs_recharge_target = d->conf.tmpfs_target,
		.cancelled = term_pending,
		.userdata = d,
	};
	int64_t cpu0;
	int r;

	if (!d->conf.cfg.reap || !n)
		return;
	if (!d->stats.reap_available) {
		if (!d->logged.eligible)
			zlog(LOG_NOTICE, "reap", "%s: zombies past their grace period are counted, not freed",
			     d->stats.reap_unavailable_reason);
		d->logged.eligible = true;
		return;
	}
	zcg_budget_bucket_refill(&d->res.budget, daemon_now_ms() * 1000000ull);
	req.cpu_budget_ns = zcg_budget_bucket_available(&d->res.budget);
	if (req.cpu_budget_ns <= 0) {
		zlog(LOG_DEBUG, "reap", "CPU budget spent: waiting %.1f s",
		     zcg_budget_bucket_wait_ns(&d->res.budget) / 1e9);
		return;
	}
	if (!d->pace.reap_batch)
		d->pace.reap_batch = REAP_BATCH_FIRST;
	if (req.n_targets > d->pace.reap_batch)
		req.n_targets = d->pace.reap_batch;
	cpu0 = zcg_process_cpu_ns();
	r = daemon_reap_step(&req, &out);
	if (r == -EOPNOTSUPP) {
		d->stats.reap_available = false;
		zlog(LOG_NOTICE, "reap", "%s", zcg_strerror(r));
		return;
	}
	if (out.cpu_ns < 0)
		out.cpu_ns = zcg_process_cpu_ns() - cpu0;
	/* A step's censuses and explain cost about the same whatever its batch: a full batch the
	 * step got through doubles, so that on a big backlog each step frees more for that cost;
	 * one whose acting ran out of budget halves. */
	if (out.stopped && d->pace.reap_batch > REAP_BATCH_MIN)
		d->pace.reap_batch /= 2;
	else if (!out.stopped && req.n_targets == d->pace.reap_batch &&
		 d->pace.reap_batch < REAP_BATCH_MAX)
		d->pace.reap_batch *= 2;
	d->stats.reaped += out.reaped;
	d->stats.evicted_bytes += out.evicted_bytes;
	d->pace.period_reaped += out.reaped;
	d->pace.period_evicted += out.evicted_bytes;
	d->stats.reap_cpu_ns += out.cpu_ns;
	if (out.have_unreclaimable) {
		d->stats.have_unreclaimable = true;
		memcpy(d->stats.unreclaimable, out.unreclaimable, sizeof(d->stats.unreclaimable));
	}
	if (r < 0) {
		d->stats.reap_errors++;
		zlog(LOG_ERR, "reap", "%s", zcg_strerror(r));
	} else {
		zlog(out.reaped ? LOG_INFO : LOG_DEBUG, "reap", "%s", out.message);
	}
}

/* One census, and with may_reap the reap step for what is past its grace period. */
static int step(struct daemon *d, bool may_reap)
{
	struct zcg_census_opts opts = { .scope = d->conf.scope, .no_bpf = !d->conf.cfg.bpf };
	_cleanup_free_ struct zcg_age_target *targets = NULL;
	struct zcg_census *c = NULL;
	uint64_t t0 = zcg_mono_ns(), now;
	int64_t cpu0 = zcg_process_cpu_ns();
	size_t n = 0;
	int r;

	/* removals before the census: each one drained happened before it, so a record whose
	 * cgroup the census does not show dying left no zombie */
	daemon_removals_drain(&d->res.removals);
	r = zcg_census_take(d->ctx->sys, &opts, &c);
	d->stats.scan_duration_ns = (int64_t)(zcg_mono_ns() - t0);
	now = daemon_now_ms();
	if (r < 0) {
		d->stats.scan_errors++;
		if (!d->logged.census_failing)
			zlog(LOG_ERR, "census", "%s", zcg_strerror(r));
		d->logged.census_failing = true;
		daemon_publish(d, false);
		return r;
	}
	if (d->logged.census_failing)
		zlog(LOG_NOTICE, "census", "census works again");
	d->logged.census_failing = false;
	zcg_census_free(d->res.census);
	d->res.census = c;
	d->stats.scans++;
	d->stats.last_scan_wall = daemon_wall_now();

	/* A census more expensive than the whole budget leaves nothing for reaping: say so once. */
	if ((double)(zcg_process_cpu_ns() - cpu0) >
	    d->conf.cfg.cpu_budget * 1e6 * (double)d->conf.cfg.interval_ms) {
		if (!d->logged.over_budget)
			zlog(LOG_WARNING, "budget", "a census takes %.1f ms of CPU, more than cpu_budget "
			     "allows per interval: raise interval or cpu_budget",
			     (double)(zcg_process_cpu_ns() - cpu0) / 1e6);
		d->logged.over_budget = true;
	}

	daemon_track_origins(d, c);
	r = zcg_ages_update(d->res.ages, c, now, daemon_removals_died_ms, &d->res.removals);
	if (r == 0) {
		daemon_check_thresholds(d);
		r = zcg_ages_eligible(d->res.ages, now, daemon_grace_ms(d), &targets, &n);
	}
	if (r < 0) {
		zlog(LOG_ERR, "census", "cannot track zombie ages: out of memory");
		d->stats.eligible_memcgs = d->stats.eligible_parents = -1;
	} else {
		zcg_ages_summarize(targets, n, &d->stats.eligible_memcgs, &d->stats.eligible_parents);
		zlog(LOG_DEBUG, "census", "%llu live, %lld dying, %lld bytes pinned, %zu target(s) past "
		     "grace, %.1f ms", (unsigned long long)c->live, (long long)c->dying,
		     (long long)c->pinned_bytes, n, (double)d->stats.scan_duration_ns / 1e6);
		if (!n)
			d->logged.eligible = false;
		if (may_reap)
			reap(d, targets, n);
	}
	daemon_history_tick(d, daemon_now_ms());
	daemon_publish(d, true);
	return 0;
}

static void charge_budget(struct daemon *d)
{
	int64_t cpu = zcg_process_cpu_ns();

	zcg_budget_bucket_refill(&d->res.budget, daemon_now_ms() * 1000000ull);
	zcg_budget_bucket_charge(&d->res.budget, cpu - d->pace.cpu_charged_ns);
	d->pace.cpu_charged_ns = cpu;
}

/* ---- start, loop, stop ---------------------------------------------------------------- */

static int setup_signals(struct daemon *d)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* blocked before any thread exists, so every thread inherits the mask */
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	d->res.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->res.sigfd < 0 ? -errno : 0;
}

static int loop(struct daemon *d)
{
	uint64_t now = daemon_now_ms();
	uint64_t next_scan = now + d->conf.cfg.interval_ms;
	/* half the watchdog interval, in ms, never 0 (that would spin) */
	uint64_t ping_ms = d->res.watchdog_usec / 2000 ? d->res.watchdog_usec / 2000 : 1;
	uint64_t next_watchdog = d->res.watchdog_usec ? now + ping_ms : UINT64_MAX;
	bool stop = false, hup = false;

	while (!stop) {
		struct signalfd_siginfo si;
		struct pollfd pfd = { .fd = d->res.sigfd, .events = POLLIN };
		uint64_t wake = next_scan < next_watchdog ? next_scan : next_watchdog;
		int timeout;

		now = daemon_now_ms();
		timeout = wake > now ? (int)(wake - now > 60000 ? 60000 : wake - now) : 0;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			return -errno;
		while (read(d->res.sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				hup = true;
			else
				stop = true;
		}
		if (stop)
			break;
		now = daemon_now_ms();
		if (now >= next_watchdog) {
			zcg_sd_notify("WATCHDOG=1");
			next_watchdog = now + ping_ms;
		}
		if (hup) {
			hup = false;
			daemon_reload(d);
			next_scan = now;	/* show the new configuration's effect at once */
		}
		if (now >= next_scan) {
			step(d, true);
			charge_budget(d);
			/* The next census an interval after this step ends: a step that takes
			 * long (a slow machine, a big reap) leaves the budget room to refill. */
			next_scan = daemon_now_ms() + d->conf.cfg.interval_ms;
		}
	}
	zlog(LOG_NOTICE, "daemon", "stopping");
	zcg_sd_notify("STOPPING=1");
	return 0;
}

static void daemon_free(struct daemon *d)
{
	daemon_http_stop(d->res.http);
	zcg_history_close(d->res.history);
	zcg_ages_free(d->res.ages);
	zcg_origin_tracker_free(d->res.origins);
	daemon_removals_stop(&d->res.removals);
	zcg_census_free(d->res.census);
	zcg_config_done(&d->conf.cfg);
	free(d->conf.scope);
	free(d->conf.tmpfs_target);
	free(d->res.pub.metrics);
	if (d->res.sigfd >= 0)
		close(d->res.sigfd);
	pthread_mutex_destroy(&d->res.pub.lock);
}

static int daemon_parse_option(struct zcg_ctx *ctx, int opt, const char *arg)
{
	uint64_t ms;
	char addr[128];
	uint16_t port;

	switch (opt) {
	case OPT_CONFIG:
		daemon_args.config = arg;
		break;
	case OPT_INTERVAL:
		if (zcg_parse_duration_ms(arg, &ms) < 0)
			return zcg_usage_error(ctx, "daemon: --interval '%s' is not a duration (like 60, 30s, "
					       "500ms, 5m)", arg), -EINVAL;
		daemon_args.interval = arg;
		break;
	case OPT_LISTEN:
		if (!streq(arg, "off") && zcg_parse_listen(arg, addr, sizeof(addr), &port) < 0)
			return zcg_usage_error(ctx, "daemon: --listen '%s' is not ADDR:PORT (like "
					       "127.0.0.1:9771, [::1]:9771, :9771) or off", arg), -EINVAL;
		daemon_args.listen = arg;
		break;
	case OPT_TEXTFILE:
		if (arg[0] != '/')
			return zcg_usage_error(ctx, "daemon: --textfile '%s' is not an absolute directory",
					       arg), -EINVAL;
		daemon_args.textfile = arg;
		break;
	case OPT_LOG_JSON:
		daemon_args.log_json = true;
		break;
	case OPT_ONCE:
		daemon_args.once = true;
		break;
	case OPT_CHECK_CONFIG:
		daemon_args.check_config = true;
		break;
	}
	return 0;
}

/* --check-config: the file (and options) parsed; now whether the cgroups it names exist.
 * sys_r is what opening the memory hierarchy returned. Returns the exit code: 0 valid,
 * 1 a cgroup it names is missing (the daemon would not start), 0 with a note where the
 * hierarchy could not be read to check. */
static int check_config(struct daemon *d, int sys_r)
{
	struct zcg_ctx *ctx = d->ctx;
	_cleanup_free_ char *scope = NULL, *tmpfs = NULL, *unchecked = NULL, *missing = NULL;
	const char *name = d->conf.config_path ? d->conf.config_path : "defaults and command line";
	bool names_cgroups = d->conf.cfg.under || d->conf.cfg.tmpfs_recharge_target;
	int r;

	if (sys_r < 0 && names_cgroups) {
		unchecked = strdup_printf("under and tmpfs_recharge_target not checked: %s",
					  zcg_strerror(sys_r));
	} else if (names_cgroups) {
		r = daemon_resolve_paths(d, &d->conf.cfg, &scope, &tmpfs);
		if (r < 0)
			missing = strdup(zcg_strerror(r));
	}
	if (ctx->json) {
		json_object_begin(&ctx->out, NULL);
		json_string(&ctx->out, "config", d->conf.config_path);
		json_bool(&ctx->out, "valid", true);
		json_bool(&ctx->out, "cgroups_checked", !unchecked);
		if (unchecked)
			json_string(&ctx->out, "note", unchecked);
		if (missing)
			json_string(&ctx->out, "error", missing);
		json_object_end(&ctx->out);
		json_finish(&ctx->out);
	} else if (missing) {
		fprintf(stderr, "zombiecg: %s: parses, but %s\n", esc(name), esc(missing));
	} else {
		printf("%s: valid%s%s\n", esc(name), unchecked ? "; " : "", unchecked ? esc(unchecked) : "");
	}
	zcg_config_done(&d->conf.cfg);
	return missing ? EXIT_FAIL : EXIT_OK;
}

static int daemon_run(struct zcg_ctx *ctx, int argc, char **argv)
{
	struct daemon d = {
		.ctx = ctx,
		.conf = { .args = &daemon_args },
		.res = { .sigfd = -1, .pub = { .lock = PTHREAD_MUTEX_INITIALIZER } },
		.stats = { .scan_duration_ns = -1, .eligible_memcgs = -1, .eligible_parents = -1 },
	};
	_cleanup_free_ char *default_config = NULL;
	int r, exit_code = EXIT_FAIL;

	if (argc > 0)
		return zcg_usage_error(ctx, "daemon: unexpected argument '%s'", argv[0]);
	d.stats.start_wall = daemon_wall_now();
	default_config = zcg_state_path(ZCG_CONFIG_DEFAULT_PATH);
	if (!default_config)
		return zcg_fail(ctx, -ENOMEM, NULL);
	if (daemon_args.config)
		d.conf.config_path = daemon_args.config;
	else if (access(default_config, F_OK) == 0)
		d.conf.config_path = default_config;

	r = daemon_build_config(&d, &d.conf.cfg);
	if (r < 0 && r != -ENOMEM) {
		/* an invalid, missing or unreadable file, or a bad option, is the caller's to
		 * fix: a usage error, like any other configuration error */
		zcg_fail(ctx, r, NULL);
		return EXIT_USAGE;
	}
	if (r < 0)
		return zcg_fail(ctx, r, NULL);
	/* The memory hierarchy is opened here, not before the command, so --check-config can
	 * still judge the file where it cannot be found. */
	r = zcg_sys_open(ctx->sysroot, &ctx->sys);
	if (r < 0 && !daemon_args.check_config)
		return zcg_fail(ctx, r, NULL);
	if (daemon_args.check_config)
		return check_config(&d, r);
	log_setup(d.conf.cfg.log_json, d.conf.cfg.log_level);
	d.stats.config_ok = true;
	d.stats.config_ok_wall = daemon_wall_now();

	r = daemon_resolve_paths(&d, &d.conf.cfg, &d.conf.scope, &d.conf.tmpfs_target);
	if (r < 0) {
		zlog(LOG_ERR, "config", "%s", zcg_strerror(r));
		goto out;
	}
	daemon_enable_thresholds(&d);
	d.stats.reap_available = daemon_reap_available(&d.stats.reap_unavailable_reason);
	if (zcg_ages_new(&d.res.ages) < 0 || zcg_origin_tracker_new(&d.res.origins) < 0 ||
	    daemon_removals_start(&d.res.removals, ctx->sys, d.conf.cfg.bpf && !daemon_args.once,
				  d.conf.cfg.top_origins) < 0) {
		zlog(LOG_ERR, "daemon", "out of memory");
		goto out;
	}
	zcg_budget_bucket_init(&d.res.budget, d.conf.cfg.cpu_budget,
			    daemon_budget_burst_ns(d.conf.cfg.cpu_budget), daemon_now_ms() * 1000000ull);
	r = daemon_open_history(&d);
	if (r < 0) {
		zlog(LOG_ERR, "history", "%s", zcg_strerror(r));
		goto out;
	}

	if (d.conf.cfg.idle_priority)
		set_idle_priority();
	if (daemon_args.once) {
		d.pace.next_history_ms = 0;	/* every run leaves a sample (cron and timers) */
		r = step(&d, true);
		exit_code = r < 0 ? EXIT_FAIL : EXIT_OK;
		goto out;
	}

	r = setup_signals(&d);
	if (r < 0) {
		zlog(LOG_ERR, "daemon", "cannot set up signal handling: %s", strerror(-r));
		goto out;
	}
	r = zcg_sd_watchdog_usec(&d.res.watchdog_usec);
	if (r < 0)
		zlog(LOG_WARNING, "daemon", "ignoring malformed WATCHDOG_USEC/WATCHDOG_PID");
	zlog(LOG_INFO, "daemon", "zombiecg %s: %s, scope %s, interval %.1f s, grace period %.1f s, "
	     "cpu budget %.2f%% of one CPU%s%s", ZCG_VERSION,
	     d.conf.config_path ? d.conf.config_path : "no config file", d.conf.scope,
	     d.conf.cfg.interval_ms / 1000.0, d.conf.cfg.grace_ms / 1000.0, d.conf.cfg.cpu_budget * 100,
	     d.stats.reap_available ? "" : "; ", d.stats.reap_available ? "" : d.stats.reap_unavailable_reason);

	/* A first census before serving, so /metrics is never empty when READY=1 is sent. Only
	 * a census: a reap step can take minutes (a backlog, the CPU budget), which would hold
	 * READY=1 past systemd's start timeout and leave /metrics unserved meanwhile. */
	step(&d, false);
	charge_budget(&d);
	if (d.conf.cfg.listen) {
		r = daemon_http_start(d.conf.cfg.listen, &d.res.pub, &d.res.http);
		if (r < 0) {
			zlog(LOG_ERR, "http", "%s", zcg_strerror(r));
			goto out;
		}
		zlog(LOG_NOTICE, "http", "listening on %s", daemon_http_address(d.res.http));
	}
	zcg_sd_notify("READY=1");
	r = loop(&d);
	exit_code = r < 0 ? EXIT_FAIL : EXIT_OK;
out:
	daemon_free(&d);
	return exit_code;
}

const struct zcg_command cmd_daemon = {
	.name = "daemon",
	.args = "[--config FILE] [--interval S] [--listen ADDR:PORT|off] [--textfile DIR] [--log-json] [--once] [--check-config]",
	.summary = "watch zombies continuously: metrics, history, reaping past a grace period",
	.options = daemon_options,
	.parse_option = daemon_parse_option,
	.run = daemon_run,
	.needs_sys = false,	/* opened in daemon_run(), after the configuration */
};

