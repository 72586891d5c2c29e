// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <syslog.h>

#include "config.h"
#include "error.h"
#include "tap.h"
#include "util.h"

static int parse(struct zcg_config *c, const char *text)
{
	zcg_config_done(c);
	zcg_config_init(c);
	return zcg_config_parse(c, text, "test.conf");
}

static void bad(const char *text, const char *want_message, const char *what)
{
	struct zcg_config c;
	int r;

	zcg_config_init(&c);
	r = parse(&c, text);
	is_int(r, -EINVAL, "%s: rejected", what);
	is_str(zcg_strerror(r), want_message, "%s: message", what);
	zcg_config_done(&c);
}

int main(void)
{
	struct zcg_config c, copy;
	uint64_t u = 0;
	char addr[64];
	uint16_t port = 0;
	bool b = false;

	zcg_config_init(&c);
	is_int(c.interval_ms, 60000, "default interval 60 s");
	is_int(c.grace_ms, 300000, "default grace period 5 min");
	ok(c.cpu_budget > 0.0099 && c.cpu_budget < 0.0101, "default budget 1%% of one CPU");
	ok(c.protected_reclaim && c.reap && !c.tmpfs_recharge_target, "reap with protection, no tmpfs recharge");
	is_str(c.listen, "127.0.0.1:9771", "default listen address");
	is_str(c.history_file, "/var/lib/zombiecg/history", "default history file");
	ok(!c.textfile_dir && !c.under, "no textfile, whole hierarchy by default");

	is_int(parse(&c,
		     "# zombiecg\n"
		     "\n"
		     "interval = 30s   # comment after white space\n"
		     "  under=/kubepods  \n"
		     "grace_period = 10m\n"
		     "urgent_grace_period = 500ms\n"
		     "cpu_budget = 0.5%\n"
		     "protected_reclaim = off\n"
		     "tmpfs_recharge_target = /system.slice\n"
		     "dying_threshold = 1000\n"
		     "pinned_threshold = 1.5G\n"
		     "memcg_id_headroom = 5000\n"
		     "listen = [::1]:9100\n"
		     "textfile_dir = /var/lib/node_exporter/text#file\n"
		     "history_file = off\n"
		     "history_records = 100\n"
		     "top_parents = 3\n"
		     "idle_priority = no\n"
		     "log_level = debug\n"
		     "log_json = yes\n"
		     "reap = false\n"
		     "bpf = 0\n"), 0, "a full file parses");
	is_int(c.interval_ms, 30000, "interval 30s");
	is_str(c.under, "/kubepods", "under, white space stripped");
	is_int(c.grace_ms, 600000, "grace 10m");
	is_int(c.urgent_grace_ms, 500, "urgent grace 500ms");
	ok(c.cpu_budget > 0.00499 && c.cpu_budget < 0.00501, "budget 0.5%%");
	ok(!c.protected_reclaim, "protected reclaim off");
	is_str(c.tmpfs_recharge_target, "/system.slice", "tmpfs target");
	is_int(c.dying_threshold, 1000, "dying threshold");
	is_int(c.pinned_threshold_bytes, 1610612736, "pinned threshold 1.5G");
	is_int(c.id_headroom_min, 5000, "id headroom");
	is_str(c.listen, "[::1]:9100", "IPv6 listen");
	is_str(c.textfile_dir, "/var/lib/node_exporter/text#file", "'#' inside a value is kept");
	ok(!c.history_file, "history off");
	is_int(c.history_records, 100, "history records");
	is_int(c.top_parents, 3, "top parents");
	ok(!c.idle_priority && c.log_json && !c.reap && !c.bpf, "booleans");
	is_int(c.log_level, LOG_DEBUG, "log level debug");

	is_int(zcg_config_copy(&copy, &c), 0, "copy");
	ok(copy.under != c.under && streq(copy.under, c.under), "copy is deep");
	zcg_config_done(&copy);
	is_str(c.under, "/kubepods", "original survives freeing the copy");

	bad("interval = 30s\nfrobnicate = 1\n", "test.conf:2: unknown key 'frobnicate'", "unknown key");
	bad("\n\ninterval 30\n", "test.conf:3: expected 'key = value', got 'interval 30'", "no '='");
	bad("= 3\n", "test.conf:1: missing key before '='", "no key");
	bad("interval = soon\n", "test.conf:1: interval = soon: not a duration (like 90s, 500ms, 5m, 2h, 7d)",
	    "bad duration");
	bad("interval = 10ms\n", "test.conf:1: interval = 10ms: out of range (0.1 s to 8.64e+04 s)",
	    "interval too short");
	bad("cpu_budget = 0%\n", "test.conf:1: cpu_budget = 0%: out of range (more than 0% and at most "
	    "100% of one CPU)", "zero budget");
	bad("cpu_budget = lots\n", "test.conf:1: cpu_budget = lots: not a percentage of one CPU (like 1% "
	    "or 0.5%)", "bad budget");
	bad("reap = maybe\n", "test.conf:1: reap = maybe: not a boolean (yes/no, true/false, on/off, 1/0)",
	    "bad boolean");
	bad("listen = localhost\n", "test.conf:1: listen = localhost: not ADDR:PORT (like 127.0.0.1:9771, "
	    "[::1]:9771, :9771) or off", "listen without port");
	bad("listen = ::1:9771\n", "test.conf:1: listen = ::1:9771: not ADDR:PORT (like 127.0.0.1:9771, "
	    "[::1]:9771, :9771) or off", "unbracketed IPv6");
	bad("pinned_threshold = 3 apples\n", "test.conf:1: pinned_threshold = 3 apples: not a size (like "
	    "4096, 512K, 64M, 1G; 0 or off: disabled)", "bad size");
	bad("top_parents = 0\n", "test.conf:1: top_parents = 0: out of range (1 to 1000)", "top_parents 0");
	bad("log_level = loud\n", "test.conf:1: log_level = loud: not one of err, warning, notice, info, debug",
	    "bad log level");
	bad("textfile_dir = relative/dir\n", "test.conf:1: textfile_dir = relative/dir: not an absolute path",
	    "relative textfile dir");
	bad("grace_period = 1m\ngrace_period = 2m\n", "test.conf:2: grace_period is already set on line 1",
	    "duplicate key");
	bad("grace_period = 1m\nurgent_grace_period = 2m\n", "test.conf: urgent_grace_period (120 s) is "
	    "longer than grace_period (60 s); it is meant to act sooner", "urgent longer than grace");
	is_int(parse(&c, "grace_period = 10s\n"), 0, "a short grace period without urgent_grace_period");
	is_int(c.urgent_grace_ms, 10000, "lowers the default urgent grace period to it");
	is_int(parse(&c, "under = kubepods\n"), 0, "a hierarchy-relative scope without '/' is left to resolve");

	is_int(zcg_config_load(&c, "tests/fixtures/does-not-exist.conf"), -ENOENT, "missing file");
	is_str(zcg_strerror(-ENOENT), "cannot read tests/fixtures/does-not-exist.conf: No such file or directory",
	       "missing file: message names it");

	is_int(zcg_config_set(&c, "interval", "2"), 0, "set: a bare number is seconds");
	is_int(c.interval_ms, 2000, "2 s");
	is_int(zcg_config_set(&c, "nope", "1"), -ENOENT, "set: unknown key");
	is_int(zcg_config_set(&c, "listen", "off"), 0, "listen off");
	ok(!c.listen, "listen off is NULL");

	is_int(zcg_parse_duration_ms("1.5h", &u), 0, "duration 1.5h");
	is_int(u, 5400000, "1.5h in ms");
	is_int(zcg_parse_duration_ms("7d", &u), 0, "duration 7d");
	is_int(zcg_parse_duration_ms("0x10", &u), -EINVAL, "duration: hex refused");
	is_int(zcg_parse_duration_ms("1e3s", &u), -EINVAL, "duration: exponent refused");
	is_int(zcg_parse_size("1e-300M", &u), -EINVAL, "size: exponent refused");
	is_int(zcg_parse_size("inf", &u), -EINVAL, "size: inf refused");
	is_int(zcg_config_set(&c, "cpu_budget", "1e-300"), -EINVAL, "cpu_budget: exponent refused");
	is_int(zcg_config_set(&c, "cpu_budget", "0x10%"), -EINVAL, "cpu_budget: hex refused");
	is_int(zcg_config_set(&c, "cpu_budget", "0.5%"), 0, "cpu_budget 0.5%% still taken");
	is_int(u, 604800000, "7d in ms");
	is_int(zcg_parse_duration_ms("-1s", &u), -EINVAL, "negative duration");
	is_int(zcg_parse_size("64MiB", &u), 0, "size 64MiB");
	is_int(u, 67108864, "64MiB in bytes");
	is_int(zcg_parse_size("1x", &u), -EINVAL, "unknown unit");
	is_int(zcg_parse_bool("ON", &b), 0, "bool ON");
	ok(b, "ON is true");
	is_int(zcg_parse_listen(":9771", addr, sizeof(addr), &port), 0, "listen :PORT");
	ok(addr[0] == '\0' && port == 9771, "all addresses, port 9771");
	is_int(zcg_parse_listen("127.0.0.1:0", addr, sizeof(addr), &port), 0, "port 0");
	is_str(addr, "127.0.0.1", "address");
	is_int(zcg_parse_listen("127.0.0.1:65536", addr, sizeof(addr), &port), -EINVAL, "port too big");
	zcg_config_done(&c);
	return done_testing();
}
