// SPDX-License-Identifier: GPL-2.0
/* Origins without root: every naming scheme's pattern, kind and name, the grouping of census
 * rows, the advice, the timer lookup on a fixture tree and the top-N cut for metrics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "census.h"
#include "metrics.h"
#include "origins.h"
#include "tap.h"
#include "util.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "8b2e1c4a-1f3d-4c5e-9a7b-0c1d2e3f4a5b"
#define UID_ "8b2e1c4a_1f3d_4c5e_9a7b_0c1d2e3f4a5b"

static void check(const char *path, const char *pattern, const char *kind, const char *origin)
{
	struct zcg_origin_class c = { 0 };
	int r = zcg_origin_classify(path, &c);

	is_int(r, 0, "classify %s", path);
	if (r < 0)
		return;
	is_str(c.pattern, pattern, "pattern of %s", path);
	is_str(zcg_origin_kind_names[c.kind], kind, "kind of %s", path);
	is_str(c.origin, origin, "origin of %s", path);
	zcg_origin_class_done(&c);
}

static void collapse(const char *in, const char *want)
{
	char *got = zcg_origin_collapse_component(in);

	is_str(got, want, "collapse %s", in);
	free(got);
}

static void schemes(void)
{
	/* systemd */
	check("/system.slice/system-getty.slice/getty@tty1.service",
	      "/system.slice/system-getty.slice/getty@*.service", "systemd-template", "getty@.service");
	check("/system.slice/system-foo.slice/foo@1.service", "/system.slice/system-foo.slice/foo@*.service",
	      "systemd-template", "foo@.service");
	check("/system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service",
	      "/system.slice/system-serial\\x2dgetty.slice/serial-getty@*.service", "systemd-template",
	      "serial-getty@.service");
	check("/system.slice/run-r0a1b2c3d4e5f60718293a4b5c6d7e8f9.scope", "/system.slice/run-r*.scope",
	      "systemd-transient", "run-r*.scope");
	check("/system.slice/run-u42.service", "/system.slice/run-u*.service", "systemd-transient", "run-u*.service");
	check("/system.slice/run-p1234-i5678.scope", "/system.slice/run-p*-i*.scope", "systemd-transient",
	      "run-p*-i*.scope");
	check("/system.slice/backup.service", "/system.slice/backup.service", "systemd-service", "backup.service");
	check("/system.slice/backup.service/worker7", "/system.slice/backup.service/worker*", "systemd-service",
	      "backup.service");
	check("/user.slice/user-1000.slice/session-3.scope", "/user.slice/user-1000.slice/session-*.scope",
	      "user-session", "session-*.scope of uid 1000");
	check("/user.slice/user-0.slice/session-c12.scope", "/user.slice/user-0.slice/session-c*.scope",
	      "user-session", "session-c*.scope of uid 0");
	check("/user.slice/user-1000.slice/user@1000.service", "/user.slice/user-1000.slice/user@1000.service",
	      "user-manager", "user@1000.service");
	check("/user.slice/user-1000.slice/user@1000.service/init.scope",
	      "/user.slice/user-1000.slice/user@1000.service/init.scope", "user-manager", "user@1000.service");
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/run-r0badc0ffee.service",
	      "/user.slice/user-1000.slice/user@1000.service/app.slice/run-r*.service", "systemd-transient",
	      "run-r*.service of uid 1000");
	check("/user.slice/user-1000.slice/user-runtime-dir@1000.service",
	      "/user.slice/user-1000.slice/user-runtime-dir@*.service", "systemd-template",
	      "user-runtime-dir@.service of uid 1000");

	/* Kubernetes, cgroupfs driver (containerd or docker: bare ids; cri-o: crio-<id>) */
	check("/kubepods/burstable/pod" UID "/" CID, "/kubepods/burstable/pod*/*", "kubernetes-container",
	      "kubernetes burstable containers");
	check("/kubepods/besteffort/pod" UID "/crio-" CID, "/kubepods/besteffort/pod*/crio-*",
	      "kubernetes-container", "kubernetes besteffort containers (crio)");
	check("/kubepods/pod" UID "/" CID, "/kubepods/pod*/*", "kubernetes-container",
	      "kubernetes guaranteed containers");
	check("/kubepods/burstable/pod" UID, "/kubepods/burstable/pod*", "kubernetes-pod", "kubernetes burstable pods");
	check("/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" CID, "/kubepods/burstable/pod*/*",
	      "kubernetes-container", "kubernetes burstable containers");
	/* systemd driver */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod*.slice/cri-containerd-*.scope",
	      "kubernetes-container", "kubernetes burstable containers (cri-containerd)");
	check("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" CID ".scope",
	      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod*.slice/crio-*.scope",
	      "kubernetes-container", "kubernetes besteffort containers (crio)");
	check("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-conmon-" CID ".scope",
	      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod*.slice/crio-conmon-*.scope",
	      "kubernetes-container", "kubernetes besteffort containers (crio-conmon)");
	check("/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" CID ".scope",
	      "/kubepods.slice/kubepods-pod*.slice/docker-*.scope", "kubernetes-container",
	      "kubernetes guaranteed containers (docker)");
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod*.slice", "kubernetes-pod",
	      "kubernetes burstable pods");

	/* Docker */
	check("/docker/" CID, "/docker/*", "docker", "docker containers");
	check("/system.slice/docker-" CID ".scope", "/system.slice/docker-*.scope", "docker", "docker containers");
	check("/system.slice/docker.service", "/system.slice/docker.service", "systemd-service", "docker.service");

	/* libvirt */
	check("/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", "/machine.slice/machine-qemu\\x2d*\\x2dvm1.scope",
	      "libvirt-machine", "libvirt qemu vm1");
	check("/machine.slice/machine-qemu\\x2d17\\x2dweb\\x2d2.scope/libvirt/vcpu0",
	      "/machine.slice/machine-qemu\\x2d*\\x2dweb\\x2d2.scope/libvirt/vcpu*", "libvirt-machine",
	      "libvirt qemu web-2");
	check("/machine/qemu-3-db.libvirt-qemu/emulator", "/machine/qemu-*-db.libvirt-qemu/emulator",
	      "libvirt-machine", "libvirt qemu db");
	check("/machine/db.libvirt-qemu", "/machine/db.libvirt-qemu", "libvirt-machine", "libvirt qemu db");
	check("/machine.slice/machine-lxc\\x2d4242\\x2dct1.scope", "/machine.slice/machine-lxc\\x2d*\\x2dct1.scope",
	      "libvirt-machine", "libvirt lxc ct1");

	/* Hadoop YARN */
	check("/hadoop-yarn/container_1600000000000_0042_01_000007", "/hadoop-yarn/container_*_*_*_*",
	      "yarn-container", "yarn containers");
	check("/hadoop-yarn/container_e17_1600000000000_0042_01_000007", "/hadoop-yarn/container_e*_*_*_*_*",
	      "yarn-container", "yarn containers");

	/* generic */
	check("/zombiecg-test.123/z0", "/zombiecg-test.*/z*", "generic", "/zombiecg-test.*/z*");
	check("/process_api/ff97100e7cc2d2eed669dfb1844d8701", "/process_api/*", "generic", "/process_api/*");
	check("/jobs/" UID, "/jobs/*", "generic", "/jobs/*");
	check("/a/b", "/a/b", "generic", "/a/b");
	check("/", "/", "generic", "/");
	check("/system.slice/*", "/system.slice/*", "generic", "/system.slice/*");
	/* what an estimate (one row per live parent) classifies: the parent, then "*" */
	check("/user.slice/user-1000.slice/*", "/user.slice/user-1000.slice/*", "user-session",
	      "sessions and user manager of uid 1000");
	check("/user.slice/*", "/user.slice/*", "generic", "/user.slice/*");
	check("/user.slice/user-1000.slice/x/*", "/user.slice/user-1000.slice/x/*", "generic",
	      "/user.slice/user-1000.slice/x/*");
	check("/kubepods.slice/kubepods-pod" UID_ ".slice/*", "/kubepods.slice/kubepods-pod*.slice/*",
	      "kubernetes-container", "kubernetes guaranteed containers");

	collapse("decade", "decade");
	collapse("cafe1234", "*");
	collapse("vcpu12", "vcpu*");
	collapse("a1b2", "a*b*");
	collapse("job-" UID ".x", "job-*.x");
	collapse("serial\\x2dgetty", "serial\\x2dgetty");
	collapse("", "");
}

/* A census as BPF gives it: one row per zombie, the largest first. */
static struct zcg_zombie zrow(const char *path, int64_t file)
{
	return (struct zcg_zombie) { .id = 1, .name = (char *)"", .path = (char *)path, .parent = (char *)"/",
				     .memcg_id = 0, .usage_bytes = file, .file_bytes = file, .anon_bytes = 0,
				     .shmem_bytes = 0, .swap_bytes = 0, .kmem_bytes = 0, .count = 1 };
}

static const struct zcg_origin *find(const struct zcg_origins *o, const char *pattern)
{
	for (size_t i = 0; i < o->n; i++)
		if (streq(o->origins[i].pattern, pattern))
			return &o->origins[i];
	return NULL;
}

static void grouping(void)
{
	struct zcg_zombie rows[] = {
		zrow("/user.slice/user-1000.slice/session-7.scope", 9000),
		zrow("/system.slice/system-foo.slice/foo@2.service", 8000),
		zrow("/kubepods/burstable/pod" UID "/" CID, 7000),
		zrow("/user.slice/user-1000.slice/session-3.scope", 6000),
		zrow("/kubepods/burstable/pod" UID "/" CID2, 5000),
		zrow("/user.slice/user-1000.slice/session-4.scope", 4000),
		zrow("/user.slice/user-1000.slice/session-5.scope", 3000),
		zrow("/system.slice/system-foo.slice/foo@1.service", 2000),
		zrow("/user.slice/user-1001.slice/session-9.scope", 1000),
	};
	struct zcg_census c = { .zombies = rows, .n_zombies = ARRAY_SIZE(rows), .dying = ARRAY_SIZE(rows),
				.kernel_overhead_bytes = 9 * 1000 };
	struct zcg_origins *o = NULL, *t = NULL;
	const struct zcg_origin *g;

	is_int(zcg_origins_group(&c, &o), 0, "group");
	ok(!o->estimated, "named zombies: not estimated");
	is_int(o->n, 4, "four origins: sessions of 1000, of 1001, foo@, pod containers");
	g = &o->origins[0];
	is_str(g->pattern, "/user.slice/user-1000.slice/session-*.scope", "most zombies first");
	is_int(g->dying, 4, "uid 1000's sessions: 4 zombies");
	is_int(g->pinned_bytes, 9000 + 6000 + 4000 + 3000, "their pinned bytes summed");
	is_int(g->kernel_overhead_bytes, 4 * 1000, "kernel overhead: 4 of the census's 9 shares");
	is_int(g->n_examples, 3, "three examples");
	is_str(g->examples[0], "/user.slice/user-1000.slice/session-7.scope", "examples: the largest first");
	is_str(g->examples[1], "/user.slice/user-1000.slice/session-3.scope", "examples: then the next");
	is_int(g->uid, 1000, "uid kept");
	is_str(g->advice, "loginctl enable-linger 1000 (keeps the user's manager and slice between logins), or the "
			  "drain drop-in zombiecg-drain.conf (deploy/systemd/, installed in share/zombiecg/) in "
			  "/etc/systemd/system/user@1000.service.d/", "session advice");
	ok(g->oldest_age_s == -1 && g->newest_age_s == -1 && g->rate_per_hour < 0, "ages and rate unknown");
	g = find(o, "/system.slice/system-foo.slice/foo@*.service");
	ok(g && g->dying == 2 && g->pinned_bytes == 10000, "foo@: 2 zombies, 10000 bytes");
	ok(g && g->unit && streq(g->unit, "foo@.service"), "foo@: the template unit");
	is_str(g ? g->advice : NULL, "the drain drop-in zombiecg-drain.conf (deploy/systemd/, installed in "
				     "share/zombiecg/) in /etc/systemd/system/foo@.service.d/ (a template's drop-in "
				     "covers every instance)", "template advice");
	g = find(o, "/kubepods/burstable/pod*/*");
	ok(g && g->dying == 2 && g->advice == NULL, "pod containers: 2, no advice");
	g = find(o, "/user.slice/user-1001.slice/session-*.scope");
	ok(g && g->dying == 1 && g->uid == 1001, "uid 1001's sessions apart");

	is_int(zcg_origins_top(o, 2, &t), 0, "top 2");
	is_int(t->n, 3, "two origins and other");
	is_str(t->origins[2].origin, "other", "the rest is other");
	is_int(t->origins[2].dying, 3, "other: foo@ 2 and uid 1001's 1");
	is_str(zcg_origin_kind_names[t->origins[2].kind], "generic", "other is generic");
	zcg_origins_free(t);
	is_int(zcg_origins_top(o, 10, &t), 0, "top 10");
	is_int(t->n, 4, "no other when all fit");
	zcg_origins_free(t);
	is_int(zcg_origins_top(o, 0, &t), 0, "top 0");
	ok(t->n == 1 && t->origins[0].dying == 9, "top 0: everything is other");
	zcg_origins_free(t);
	zcg_origins_free(o);

	/* timer, restarts */
	struct zcg_zombie svc[] = { zrow("/system.slice/backup.service", 10), zrow("/system.slice/crashy.service", 10) };
	struct zcg_census c2 = { .zombies = svc, .n_zombies = 2, .dying = 2, .kernel_overhead_bytes = -1 };

	is_int(zcg_origins_group(&c2, &o), 0, "group services");
	g = find(o, "/system.slice/backup.service");
	ok(g && g->advice == NULL && g->kernel_overhead_bytes == -1, "a service: no advice, overhead unknown");
	is_int(zcg_origin_set_facts((struct zcg_origin *)g, true, -1), 0, "backup has a timer");
	is_str(zcg_origin_kind_names[g->kind], "systemd-timer", "kind timer");
	is_str(g->advice, "the drain drop-in zombiecg-drain.conf (deploy/systemd/, installed in share/zombiecg/) in "
			  "/etc/systemd/system/backup.service.d/", "timer advice");
	g = find(o, "/system.slice/crashy.service");
	is_int(zcg_origin_set_facts((struct zcg_origin *)g, false, 12), 0, "crashy restarted");
	is_str(zcg_origin_kind_names[g->kind], "systemd-service", "still a service");
	ok(g->advice && strncmp(g->advice, "crashy.service restarted 12 times (systemd NRestarts)", 53) == 0,
	   "restart advice: %s", g->advice);
	zcg_origins_free(o);

	/* estimated rows: one per live parent, grouped by what is below it */
	struct zcg_zombie est[] = {
		{ .path = (char *)"/kubepods/burstable/pod" UID, .parent = (char *)"/kubepods/burstable/pod" UID,
		  .estimated = true, .count = 3, .usage_bytes = 300, .memcg_id = -1, .file_bytes = 300 },
		{ .path = (char *)"/system.slice", .parent = (char *)"/system.slice", .estimated = true, .count = -1,
		  .usage_bytes = 100, .memcg_id = -1 },
	};
	struct zcg_census c3 = { .zombies = est, .n_zombies = 2, .dying = -1, .kernel_overhead_bytes = -1 };

	is_int(zcg_origins_group(&c3, &o), 0, "group estimated rows");
	ok(o->estimated, "estimated");
	g = find(o, "/kubepods/burstable/pod*/*");
	ok(g && g->dying == 3 && g->pinned_bytes == 300 && g->n_examples == 0, "below a pod: 3 containers, no examples");
	ok(g && g->kind == ZCG_ORIGIN_K8S_CONTAINER, "below a pod: containers");
	g = find(o, "/system.slice/*");
	ok(g && g->dying == -1 && g->pinned_bytes == 100 && g->kind == ZCG_ORIGIN_GENERIC, "v1: count unknown");
	zcg_origins_free(o);
}

static void timers(void)
{
	ok(zcg_origin_unit_has_timer(FIXTURE("origins"), "backup.service") == 1, "backup.timer in the fixture");
	ok(zcg_origin_unit_has_timer(FIXTURE("origins"), "report@.service") == 1, "report@.timer in /usr/lib");
	ok(zcg_origin_unit_has_timer(FIXTURE("origins"), "crashy.service") == 0, "no crashy.timer");
	ok(zcg_origin_unit_has_timer(FIXTURE("origins"), NULL) == 0, "no unit");
	ok(zcg_origin_unit_has_timer(FIXTURE("origins"), "x.scope") == 0, "scopes have no timer");
}

/* The metric family: one series per origin with both labels, escaped; unknown counts out. */
static void metrics(void)
{
	struct zcg_origin v[] = {
		{ .origin = (char *)"foo@.service", .kind = ZCG_ORIGIN_TEMPLATE, .dying = 5 },
		{ .origin = (char *)"/we\"ird\n/*", .kind = ZCG_ORIGIN_GENERIC, .dying = 2 },
		{ .origin = (char *)"/a/*", .kind = ZCG_ORIGIN_GENERIC, .dying = -1 },
	};
	struct zcg_origins o = { .origins = v, .n = 3 };
	struct zcg_metrics m = { .version = "0", .hierarchy = "v2", .origins = &o, .scan_duration_seconds = -1 };
	char *text = NULL;

	is_int(zcg_metrics_render(&m, 0, &text, NULL), 0, "render");
	ok(text && strstr(text, "# TYPE zombiecg_dying_memcgs_by_origin gauge\n"), "TYPE line");
	ok(text && strstr(text, "\nzombiecg_dying_memcgs_by_origin{origin=\"foo@.service\",kind=\"systemd-template\"} 5\n"),
	   "a series with origin and kind");
	ok(text && strstr(text, "\nzombiecg_dying_memcgs_by_origin{origin=\"/we\\\"ird\\n/*\",kind=\"generic\"} 2\n"),
	   "label value escaped");
	ok(text && !strstr(text, "origin=\"/a/*\""), "an unknown count is left out");
	free(text);
	m.origins = NULL;
	is_int(zcg_metrics_render(&m, 0, &text, NULL), 0, "render without origins");
	ok(text && strstr(text, "# TYPE zombiecg_dying_memcgs_by_origin gauge\n") &&
	   !strstr(text, "zombiecg_dying_memcgs_by_origin{"), "no origins: the family, no series");
	free(text);
}

/* The daemon's tracker: first-seen times, new zombies per pattern, the state file, and what
 * origins makes of it. */
static void tracker(void)
{
	struct zcg_zombie first[] = {
		zrow("/user.slice/user-1000.slice/session-1.scope", 10),
		zrow("/user.slice/user-1000.slice/session-2.scope", 10),
		zrow("/we\tird\n\\/z1", 10),
	};
	struct zcg_zombie second[] = {
		zrow("/user.slice/user-1000.slice/session-2.scope", 10),
		zrow("/user.slice/user-1000.slice/session-3.scope", 10),
		zrow("/system.slice/system-foo.slice/foo@1.service", 10),
		zrow("/we\tird\n\\/z1", 10),
	};
	struct zcg_zombie est[] = { { .path = (char *)"/", .parent = (char *)"/", .estimated = true, .count = 9 } };
	struct zcg_census c1 = { .zombies = first, .n_zombies = 3, .dying = 3, .kernel_overhead_bytes = -1, .source = "bpf" };
	struct zcg_census c2 = { .zombies = second, .n_zombies = 4, .dying = 4, .kernel_overhead_bytes = -1, .source = "bpf" };
	struct zcg_census ce = { .zombies = est, .n_zombies = 1, .dying = 9, .kernel_overhead_bytes = -1,
				 .source = "cgroupfs" };
	char dir[] = "/tmp/zcg-tracker.XXXXXX", path[64], *text = NULL;
	struct zcg_origin_tracker *t = NULL;
	struct zcg_origins *o = NULL;
	const struct zcg_origin *g;
	size_t len;

	first[0].id = 1, first[1].id = 2, first[2].id = 5;
	second[0].id = 2, second[1].id = 3, second[2].id = 4, second[3].id = 5;
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/origins", dir);
	is_int(zcg_origin_tracker_new(&t), 0, "tracker");
	is_int(zcg_origin_tracker_update(t, &c1, NULL, 1000), 1, "first census at 1000");
	is_int(zcg_origin_tracker_update(t, &c2, NULL, 1600), 1, "second at 1600: session-1 gone, session-3 and foo@1 new");
	is_int(zcg_origin_tracker_update(t, &ce, NULL, 1700), 0, "an estimate changes nothing");
	is_int(zcg_origin_tracker_write(t, path), 0, "write the state");
	is_int(read_full_file(path, &text, &len), 0, "read it back");
	is_str(text, "zombiecg-origins 2 1000 1600\n"
		     "1\t2\t1000\t1600\t0\t/user.slice/user-1000.slice/session-*.scope\n"
		     "0\t1\t1000\t1000\t0\t/we\\tird\\n\\\\/z*\n"
		     "1\t1\t1600\t1600\t0\t/system.slice/system-foo.slice/foo@*.service\n",
	       "state: created, current, oldest, newest, exact, pattern (escaped); the first census created none");
	free(text);

	is_int(zcg_origins_group(&c2, &o), 0, "group the second census");
	is_int(zcg_origins_apply_state(o, path, 1900), 0, "apply the state at 1900");
	g = find(o, "/user.slice/user-1000.slice/session-*.scope");
	ok(g && g->oldest_age_s == 900 && g->newest_age_s == 300, "sessions: ages from first-seen times");
	is_str(g ? g->ages : NULL, "first-seen", "sessions: ages say first-seen");
	ok(g && g->rate_per_hour == 6.0, "sessions: 1 new in 600 s: 6 an hour");
	g = find(o, "/we\tird\n\\/z*");
	ok(g && g->oldest_age_s == 900 && g->rate_per_hour == 0.0, "an escaped pattern matches; none new: rate 0");
	g = find(o, "/system.slice/system-foo.slice/foo@*.service");
	ok(g && g->oldest_age_s == 300 && g->rate_per_hour == 6.0, "foo@: new in the second census");
	zcg_origins_free(o);

	/* an origin the daemon has not seen stays unknown; a bad file is refused */
	struct zcg_zombie other[] = { zrow("/docker/" CID, 10) };
	struct zcg_census co = { .zombies = other, .n_zombies = 1, .dying = 1, .kernel_overhead_bytes = -1 };

	is_int(zcg_origins_group(&co, &o), 0, "group another census");
	is_int(zcg_origins_apply_state(o, path, 1900), 0, "apply");
	ok(o->origins[0].oldest_age_s == -1 && o->origins[0].rate_per_hour < 0, "not in the state: unknown");
	FILE *f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	is_int(zcg_origins_apply_state(o, path, 1900), -EBADMSG, "not a state file: -EBADMSG");
	unlink(path);
	is_int(zcg_origins_apply_state(o, path, 1900), -ENOENT, "no state file: -ENOENT");
	zcg_origins_free(o);
	zcg_origin_tracker_free(t);
	rmdir(dir);
}

/* The restart count through a systemctl of our own in $PATH. */
static void restarts(void)
{
	char dir[] = "/tmp/zcg-origins.XXXXXX", path[64];
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	int64_t n = -1;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/systemctl", dir);
	f = fopen(path, "w");
	fprintf(f, "#!/bin/sh\n[ \"$*\" = 'show --property=NRestarts --value -- crashy.service' ] && echo 12 && exit 0\n"
		   "[ \"$5\" = 'empty.service' ] && exit 0\nexit 1\n");
	fclose(f);
	chmod(path, 0755);
	setenv("PATH", dir, 1);
	is_int(zcg_origin_unit_restarts("crashy.service", &n), 0, "systemctl says how often it restarted");
	is_int(n, 12, "12 restarts");
	is_int(zcg_origin_unit_restarts("empty.service", &n), -ENODATA, "no number: -ENODATA");
	is_int(zcg_origin_unit_restarts("gone.service", &n), -ENODATA, "systemctl failed: -ENODATA");
	setenv("PATH", "/nonexistent", 1);
	is_int(zcg_origin_unit_restarts("crashy.service", &n), -ENODATA, "no systemctl: -ENODATA");
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	schemes();
	grouping();
	timers();
	metrics();
	restarts();
	tracker();
	return done_testing();
}
