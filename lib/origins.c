// SPDX-License-Identifier: GPL-2.0
/* Zombies grouped by origin: see origins.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "origins.h"
#include "util.h"

const char *const zcg_origin_kind_names[_ZCG_ORIGIN_KIND_MAX] = {
	[ZCG_ORIGIN_GENERIC] = "generic",
	[ZCG_ORIGIN_SERVICE] = "systemd-service",
	[ZCG_ORIGIN_TIMER] = "systemd-timer",
	[ZCG_ORIGIN_TEMPLATE] = "systemd-template",
	[ZCG_ORIGIN_TRANSIENT] = "systemd-transient",
	[ZCG_ORIGIN_SESSION] = "user-session",
	[ZCG_ORIGIN_USER_MANAGER] = "user-manager",
	[ZCG_ORIGIN_K8S_POD] = "kubernetes-pod",
	[ZCG_ORIGIN_K8S_CONTAINER] = "kubernetes-container",
	[ZCG_ORIGIN_DOCKER] = "docker",
	[ZCG_ORIGIN_LIBVIRT] = "libvirt-machine",
	[ZCG_ORIGIN_YARN] = "yarn-container",
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n > 0 bytes of s, each of which pred accepts. */
static bool all_of(const char *s, size_t n, bool (*pred)(char))
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!pred(s[i]))
			return false;
	return true;
}

static bool all_hex(const char *s, size_t n)
{
	return all_of(s, n, is_hex);
}

static bool all_digits(const char *s, size_t n)
{
	return all_of(s, n, is_digit);
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_digit(s[i]))
			return true;
	return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && streq(s + n - m, suffix);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A UUID at s (8-4-4-4-12 hex digits, '-' or '_' between: pod UIDs, the systemd driver writes
 * '_'): its length, else 0. */
static size_t uuid_length(const char *s)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };
	size_t at = 0;

	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (g && s[at] != '-' && s[at] != '_')
			return 0;
		if (g)
			at++;
		for (size_t i = 0; i < groups[g]; i++, at++)
			if (!is_hex(s[at]))
				return 0;
	}
	return isalnum((unsigned char)s[at]) ? 0 : at;
}

/* A pod UID at s: a UUID, or (static pods) a hash of at least 16 hex digits. Its length,
 * else 0. */
static size_t pod_uid_length(const char *s)
{
	size_t n = uuid_length(s);

	if (n)
		return n;
	while (is_hex(s[n]))
		n++;
	return n >= 16 && !isalnum((unsigned char)s[n]) ? n : 0;
}

char *zcg_origin_collapse_component(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t j = i, u;

		/* systemd's \xHH escapes (machine-qemu\x2d1\x2dvm.scope) are one character */
		if (s[i] == '\\' && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
			memcpy(out + o, s + i, 4);
			o += 4;
			i += 4;
			continue;
		}
		if (!isalnum((unsigned char)s[i])) {
			out[o++] = s[i++];
			continue;
		}
		u = uuid_length(s + i);
		if (u) {
			out[o++] = '*';
			i += u;
			continue;
		}
		while (j < n && isalnum((unsigned char)s[j]))
			j++;
		if (j - i >= 8 && all_hex(s + i, j - i) && has_digit(s + i, j - i)) {
			out[o++] = '*';
		} else {
			for (size_t k = i; k < j; k++) {
				if (!is_digit(s[k]))
					out[o++] = s[k];
				else if (k == i || !is_digit(s[k - 1]))
					out[o++] = '*';
			}
		}
		i = j;
	}
	out[o] = '\0';
	return out;
}

/* What the walk down a path has found so far. */
struct walk {
	enum zcg_origin_kind kind;
	bool kubepods, pod, docker;
	bool after_user_slice;	/* the previous component was user-UID.slice */
	char qos[16];
	char *origin;
	char *unit;
	int64_t uid;
};

/* Kinds that name what a zombie itself was: whatever lies below them is theirs. A user manager
 * or a pod may still hold a more specific unit or container. */
static bool kind_final(enum zcg_origin_kind k)
{
	return k != ZCG_ORIGIN_GENERIC && k != ZCG_ORIGIN_USER_MANAGER && k != ZCG_ORIGIN_K8S_POD;
}

static int set_found(struct walk *w, enum zcg_origin_kind kind, char *origin, const char *unit)
{
	if (!origin)
		return -ENOMEM;
	free(w->origin);
	w->origin = origin;
	free(w->unit);
	w->unit = NULL;
	if (unit) {
		w->unit = strdup(unit);
		if (!w->unit)
			return -ENOMEM;
	}
	w->kind = kind;
	return 0;
}

/* "<prefix>*<suffix>" where s is prefix + instance + suffix. */
static char *starred(const char *s, size_t prefix_len, const char *suffix)
{
	return strdup_printf("%.*s*%s", (int)prefix_len, s, suffix);
}

/* s as prefix + hex id (at least 12, containers are 64) + optional ".scope": the prefix
 * length, else -1. */
static ssize_t container_id_prefix(const char *s, const char *prefix)
{
	size_t p = strlen(prefix), n = strlen(s);

	if (strncmp(s, prefix, p) != 0)
		return -1;
	if (has_suffix(s, ".scope"))
		n -= strlen(".scope");
	if (n < p + 12 || !all_hex(s + p, n - p))
		return -1;
	return (ssize_t)p;
}

/* A container below a Kubernetes pod: cri-containerd-<id>.scope, crio-<id>.scope,
 * crio-conmon-<id>.scope, docker-<id>.scope (systemd driver), <id> or crio-<id> (cgroupfs). */
static int kube_container(struct walk *w, const char *c, char **ret)
{
	static const char *const runtimes[] = { "cri-containerd-", "crio-conmon-", "crio-", "docker-", "" };

	/* an estimate's "what is below this pod" */
	if (streq(c, "*")) {
		*ret = strdup(c);
		if (!*ret)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_K8S_CONTAINER, strdup_printf("kubernetes %s containers", w->qos), NULL) ?: 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		ssize_t p = container_id_prefix(c, runtimes[i]);
		char runtime[32];

		if (p < 0)
			continue;
		*ret = starred(c, (size_t)p, has_suffix(c, ".scope") ? ".scope" : "");
		if (!*ret)
			return -ENOMEM;
		snprintf(runtime, sizeof(runtime), "%.*s", p ? (int)p - 1 : 0, runtimes[i]);
		return set_found(w, ZCG_ORIGIN_K8S_CONTAINER,
				 *runtime ? strdup_printf("kubernetes %s containers (%s)", w->qos, runtime)
					  : strdup_printf("kubernetes %s containers", w->qos), NULL) ?: 1;
	}
	return 0;
}

/* Below kubepods: QoS classes, pods, their containers. Returns 1 and sets *ret if c is one. */
static int kube_component(struct walk *w, const char *c, char **ret)
{
	static const char *const classes[] = { "burstable", "besteffort" };
	const char *pod;

	if (w->pod)
		return kube_container(w, c, ret);
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		_cleanup_free_ char *slice = strdup_printf("kubepods-%s.slice", classes[i]);

		if (!slice)
			return -ENOMEM;
		if (streq(c, classes[i]) || streq(c, slice)) {
			snprintf(w->qos, sizeof(w->qos), "%s", classes[i]);
			*ret = strdup(c);
			return *ret ? 1 : -ENOMEM;
		}
	}
	/* pod<uid> (cgroupfs) or kubepods[-<qos>]-pod<uid with _>.slice (systemd) */
	if (has_prefix(c, "pod") && c[3] && pod_uid_length(c + 3) == strlen(c + 3))
		pod = c;
	else if (has_prefix(c, "kubepods-") && has_suffix(c, ".slice") && (pod = strstr(c + strlen("kubepods"), "-pod")) &&
		 ++pod && pod_uid_length(pod + 3) && pod_uid_length(pod + 3) == strlen(pod + 3) - strlen(".slice"))
		;
	else
		return 0;
	w->pod = true;
	*ret = starred(c, (size_t)(pod - c) + 3, has_suffix(c, ".slice") ? ".slice" : "");
	if (!*ret)
		return -ENOMEM;
	return set_found(w, ZCG_ORIGIN_K8S_POD, strdup_printf("kubernetes %s pods", w->qos), NULL) ?: 1;
}

/* libvirt: machine-<driver>\x2d<N>\x2d<name>.scope (systemd) or <driver>-<N>-<name>.libvirt-<driver>
 * (cgroupfs; older libvirt: <name>.libvirt-<driver>). The machine's name stays: every start
 * of one domain makes the same pattern. */
static int libvirt_component(struct walk *w, const char *c, char **ret)
{
	_cleanup_free_ char *name = NULL;
	const char *suffix, *num, *end;
	char driver[16];
	size_t o = 0;

	if (has_prefix(c, "machine-") && has_suffix(c, ".scope")) {
		const char *drv = c + strlen("machine-");
		const char *raw;
		size_t raw_len;

		num = strstr(drv, "\\x2d");
		if (!num || num == drv || (size_t)(num - drv) >= sizeof(driver))
			return 0;
		snprintf(driver, sizeof(driver), "%.*s", (int)(num - drv), drv);
		num += 4;
		for (end = num; is_digit(*end); end++)
			;
		if (end == num || !has_prefix(end, "\\x2d"))
			return 0;
		raw = end + 4;
		raw_len = strlen(raw) - strlen(".scope");
		/* the label shows the name as systemd's escaping hides it: \x2d is '-' */
		name = malloc(raw_len + 1);
		if (!name)
			return -ENOMEM;
		for (size_t i = 0; i < raw_len; i++) {
			if (i + 4 <= raw_len && has_prefix(raw + i, "\\x2d")) {
				name[o++] = '-';
				i += 3;
			} else {
				name[o++] = raw[i];
			}
		}
		name[o] = '\0';
	} else if ((suffix = strstr(c, ".libvirt-")) && suffix > c && *(suffix + 9) &&
		   strlen(suffix + 9) < sizeof(driver)) {
		size_t dl;

		snprintf(driver, sizeof(driver), "%s", suffix + 9);
		for (size_t i = 0; driver[i]; i++)
			if (!isalnum((unsigned char)driver[i]))
				return 0;
		dl = strlen(driver);
		num = NULL;
		end = NULL;
		if (strncmp(c, driver, dl) == 0 && c[dl] == '-' && is_digit(c[dl + 1])) {
			for (end = c + dl + 1; is_digit(*end); end++)
				;
			if (*end == '-' && end + 1 < suffix)
				num = c + dl + 1;
		}
		name = num ? strndup(end + 1, (size_t)(suffix - end - 1)) : strndup(c, (size_t)(suffix - c));
		if (!name)
			return -ENOMEM;
		if (!num) {
			*ret = strdup(c);
			if (!*ret)
				return -ENOMEM;
			return set_found(w, ZCG_ORIGIN_LIBVIRT, strdup_printf("libvirt %s %s", driver, name), NULL) ?: 1;
		}
	} else {
		return 0;
	}
	*ret = strdup_printf("%.*s*%s", (int)(num - c), c, end);
	if (!*ret)
		return -ENOMEM;
	return set_found(w, ZCG_ORIGIN_LIBVIRT, strdup_printf("libvirt %s %s", driver, name), NULL) ?: 1;
}

/* YARN: container_<clusterTimestamp>_<app>_<attempt>_<n>, or with an epoch first
 * (container_e<N>_...): every number is an instance part. */
static int yarn_component(struct walk *w, const char *c, char **ret)
{
	const char *p = c + strlen("container_");
	bool epoch = false;
	int numbers = 0;

	if (!has_prefix(c, "container_"))
		return 0;
	if (*p == 'e' && is_digit(p[1])) {
		epoch = true;
		p++;
	}
	for (;;) {
		const char *d = p;

		while (is_digit(*p))
			p++;
		if (p == d)
			return 0;
		numbers++;
		if (!*p)
			break;
		if (*p++ != '_')
			return 0;
	}
	if (numbers != (epoch ? 5 : 4))
		return 0;
	*ret = strdup(epoch ? "container_e*_*_*_*_*" : "container_*_*_*_*");
	if (!*ret)
		return -ENOMEM;
	return set_found(w, ZCG_ORIGIN_YARN, strdup("yarn containers"), NULL) ?: 1;
}

/* " of uid N" inside a user's slice, else "". Into buf. */
static const char *of_uid(const struct walk *w, char *buf, size_t size)
{
	if (w->uid < 0)
		return "";
	snprintf(buf, size, " of uid %lld", (long long)w->uid);
	return buf;
}

/* systemd units: sessions, user managers, transient units, templates, plain services. */
static int systemd_component(struct walk *w, const char *c, bool after_user_slice, char **ret)
{
	static const char *const types[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	const char *type = NULL, *at, *p;
	char uidbuf[32];
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (has_suffix(c, types[i]))
			type = types[i];
	len = strlen(c) - (type ? strlen(type) : 0);
	/* user-UID.slice: the user stays in the pattern, it is whom the advice is for */
	if (has_prefix(c, "user-") && has_suffix(c, ".slice") &&
	    all_digits(c + 5, strlen(c) - 5 - strlen(".slice"))) {
		w->uid = strtoll(c + 5, NULL, 10);
		w->after_user_slice = true;
		*ret = strdup(c);
		return *ret ? 1 : -ENOMEM;
	}
	/* an estimate's "what is below this user's slice": sessions and the user manager */
	if (streq(c, "*") && after_user_slice) {
		*ret = strdup(c);
		if (!*ret)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_SESSION, strdup_printf("sessions and user manager%s",
								   of_uid(w, uidbuf, sizeof(uidbuf))), NULL) ?: 1;
	}
	if (!type)
		return 0;
	if (has_prefix(c, "user@") && streq(type, ".service") && all_digits(c + 5, len - 5)) {
		w->uid = strtoll(c + 5, NULL, 10);
		*ret = strdup(c);
		if (!*ret)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_USER_MANAGER, strdup(c), c) ?: 1;
	}
	/* session-N.scope, session-cN.scope (logind's name for sessions without an audit id:
	 * cron, su) */
	if (has_prefix(c, "session-") && streq(type, ".scope")) {
		p = c + strlen("session-");
		if (*p == 'c')
			p++;
		if (all_digits(p, (size_t)(c + len - p))) {
			*ret = starred(c, (size_t)(p - c), ".scope");
			if (!*ret)
				return -ENOMEM;
			return set_found(w, ZCG_ORIGIN_SESSION, strdup_printf("%s%s", *ret, of_uid(w, uidbuf, sizeof(uidbuf))),
					 NULL) ?: 1;
		}
	}
	/* systemd-run: run-r<hex>, run-u<N>, run-p<PID>-i<N> (systemd 256+) */
	if (has_prefix(c, "run-")) {
		p = c + 4;
		if ((*p == 'r' && all_hex(p + 1, (size_t)(c + len - p - 1))) ||
		    (*p == 'u' && all_digits(p + 1, (size_t)(c + len - p - 1)))) {
			*ret = strdup_printf("run-%c*%s", *p, type);
		} else if (*p == 'p' && (at = strstr(p, "-i")) && all_digits(p + 1, (size_t)(at - p - 1)) &&
			   all_digits(at + 2, (size_t)(c + len - at - 2))) {
			*ret = strdup_printf("run-p*-i*%s", type);
		} else {
			goto template;
		}
		if (!*ret)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_TRANSIENT, strdup_printf("%s%s", *ret, of_uid(w, uidbuf, sizeof(uidbuf))),
				 NULL) ?: 1;
	}
template:
	at = strchr(c, '@');
	if (at && at > c && (size_t)(at - c) + 1 < len) {
		_cleanup_free_ char *unit = strdup_printf("%.*s@%s", (int)(at - c), c, type);

		*ret = starred(c, (size_t)(at - c) + 1, type);
		if (!*ret || !unit)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_TEMPLATE, strdup_printf("%s%s", unit, of_uid(w, uidbuf, sizeof(uidbuf))),
				 unit) ?: 1;
	}
	if (streq(type, ".service") && !at) {
		*ret = strdup(c);
		if (!*ret)
			return -ENOMEM;
		return set_found(w, ZCG_ORIGIN_SERVICE, strdup_printf("%s%s", c, of_uid(w, uidbuf, sizeof(uidbuf))),
				 c) ?: 1;
	}
	return 0;
}

/* Docker outside Kubernetes: docker/<id> (cgroupfs driver), docker-<id>.scope (systemd). */
static int docker_component(struct walk *w, const char *c, char **ret)
{
	ssize_t p;

	if (streq(c, "docker")) {
		w->docker = true;
		*ret = strdup(c);
		return *ret ? 1 : -ENOMEM;
	}
	p = container_id_prefix(c, w->docker ? "" : "docker-");
	if (p < 0 || (w->docker && has_suffix(c, ".scope")) || (!w->docker && !has_suffix(c, ".scope")))
		return 0;
	*ret = starred(c, (size_t)p, w->docker ? "" : ".scope");
	if (!*ret)
		return -ENOMEM;
	return set_found(w, ZCG_ORIGIN_DOCKER, strdup("docker containers"), NULL) ?: 1;
}

/* One component of the path: its pattern into *ret, the walk updated. Returns 0 or -ENOMEM. */
static int classify_component(struct walk *w, const char *c, char **ret)
{
	bool after_user_slice = w->after_user_slice;
	int r = 0;

	*ret = NULL;
	w->after_user_slice = false;
	if (!kind_final(w->kind)) {
		if (!w->kubepods && (streq(c, "kubepods") || streq(c, "kubepods.slice"))) {
			w->kubepods = true;
			snprintf(w->qos, sizeof(w->qos), "guaranteed");
			*ret = strdup(c);
			return *ret ? 0 : -ENOMEM;
		}
		if (w->kubepods)
			r = kube_component(w, c, ret);
		if (!r)
			r = libvirt_component(w, c, ret);
		if (!r)
			r = yarn_component(w, c, ret);
		if (!r && !w->kubepods)
			r = docker_component(w, c, ret);
		if (!r)
			r = systemd_component(w, c, after_user_slice, ret);
		if (r < 0)
			return r;
		if (r > 0)
			return 0;
	}
	*ret = zcg_origin_collapse_component(c);
	return *ret ? 0 : -ENOMEM;
}

int zcg_origin_classify(const char *path, struct zcg_origin_class *ret)
{
	struct walk w = { .kind = ZCG_ORIGIN_GENERIC, .uid = -1 };
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_free_ char *pattern = NULL;
	size_t len = 0, cap = 0;
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		_cleanup_free_ char *part = NULL;
		size_t n;

		r = classify_component(&w, c, &part);
		if (r < 0)
			goto fail;
		n = strlen(part);
		r = grow_array((void **)&pattern, &cap, len + n + 2, 1);
		if (r < 0)
			goto fail;
		pattern[len++] = '/';
		memcpy(pattern + len, part, n + 1);
		len += n;
	}
	if (!pattern) {
		pattern = strdup("/");
		if (!pattern) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (w.kind == ZCG_ORIGIN_GENERIC || !w.origin) {
		free(w.origin);
		w.origin = strdup(pattern);
		if (!w.origin) {
			r = -ENOMEM;
			goto fail;
		}
	}
	*ret = (struct zcg_origin_class) {
		.kind = w.kind,
		.pattern = TAKE_PTR(pattern),
		.origin = w.origin,
		.unit = w.unit,
		.uid = w.uid,
	};
	return 0;
fail:
	free(w.origin);
	free(w.unit);
	return r;
}

void zcg_origin_class_done(struct zcg_origin_class *c)
{
	free(c->pattern);
	free(c->origin);
	free(c->unit);
	*c = (struct zcg_origin_class) { .uid = -1 };
}

/* ---- advice --------------------------------------------------------------------------- */

#define DRAIN_DROPIN "zombiecg-drain.conf (deploy/systemd/, installed in share/zombiecg/)"

int zcg_origin_advise(const struct zcg_origin *o, char **ret_advice)
{
	bool want = false;
	char *a = NULL;

	switch (o->kind) {
	case ZCG_ORIGIN_SESSION:
	case ZCG_ORIGIN_USER_MANAGER:
		if (o->uid < 0)
			break;
		want = true;
		a = strdup_printf("loginctl enable-linger %lld (keeps the user's manager and slice between "
				  "logins), or the drain drop-in " DRAIN_DROPIN " in "
				  "/etc/systemd/system/user@%lld.service.d/",
				  (long long)o->uid, (long long)o->uid);
		break;
	case ZCG_ORIGIN_TIMER:
	case ZCG_ORIGIN_TEMPLATE:
		if (!o->unit)
			break;
		want = true;
		a = strdup_printf("the drain drop-in " DRAIN_DROPIN " in /etc/systemd/system/%s.d/%s", o->unit,
				  o->kind == ZCG_ORIGIN_TEMPLATE ? " (a template's drop-in covers every instance)" : "");
		break;
	case ZCG_ORIGIN_SERVICE:
		if (o->restarts <= 0 || !o->unit)
			break;
		want = true;
		a = strdup_printf("%s restarted %lld times (systemd NRestarts): each restart can leave a zombie; "
				  "fix what makes it fail, or the drain drop-in " DRAIN_DROPIN " in "
				  "/etc/systemd/system/%s.d/", o->unit, (long long)o->restarts, o->unit);
		break;
	default:
		break;
	}
	if (want && !a)
		return -ENOMEM;
	*ret_advice = a;
	return 0;
}

int zcg_origin_set_facts(struct zcg_origin *o, bool has_timer, int64_t restarts)
{
	char *advice = NULL;
	int r;

	if (has_timer && o->kind == ZCG_ORIGIN_SERVICE)
		o->kind = ZCG_ORIGIN_TIMER;
	o->restarts = restarts;
	r = zcg_origin_advise(o, &advice);
	if (r < 0)
		return r;
	free(o->advice);
	o->advice = advice;
	return 0;
}

int zcg_origin_unit_has_timer(const char *root, const char *unit)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/run/systemd/system", "/run/systemd/transient",
					    "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
					    "/lib/systemd/system" };
	size_t n;

	if (!unit || !has_suffix(unit, ".service"))
		return 0;
	n = strlen(unit) - strlen(".service");
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = strdup_printf("%s%s/%.*s.timer", root ? root : "", dirs[i], (int)n, unit);

		if (p && access(p, F_OK) == 0)
			return 1;
	}
	return 0;
}

/* ---- grouping ------------------------------------------------------------------------- */

struct classified {
	struct zcg_origin_class cls;
	size_t row;
	const struct zcg_removal *rec;	/* its removal record, or NULL */
};

static int cmp_classified(const void *a, const void *b)
{
	const struct classified *x = a, *y = b;
	int d = strcmp(x->cls.pattern, y->cls.pattern);

	if (d)
		return d;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_origin(const void *a, const void *b)
{
	const struct zcg_origin *x = a, *y = b;

	if (x->dying != y->dying)
		return x->dying > y->dying ? -1 : 1;
	if (x->pinned_bytes != y->pinned_bytes)
		return x->pinned_bytes > y->pinned_bytes ? -1 : 1;
	return strcmp(x->pattern, y->pattern);
}

/* What a row pins: its LRU pages and swap (the census's pinned bytes), else its usage. */
static int64_t row_pinned(const struct zcg_zombie *z)
{
	int64_t sum = -1;

	if (z->estimated)
		return z->usage_bytes;
	if (z->file_bytes >= 0)
		sum = z->file_bytes;
	if (z->anon_bytes >= 0)
		sum = (sum < 0 ? 0 : sum) + z->anon_bytes;
	if (z->swap_bytes >= 0)
		sum = (sum < 0 ? 0 : sum) + z->swap_bytes;
	return sum >= 0 ? sum : z->usage_bytes;
}

static void origin_done(struct zcg_origin *o)
{
	free(o->origin);
	free(o->pattern);
	free(o->unit);
	free(o->advice);
	for (size_t i = 0; i < o->n_examples; i++)
		free(o->examples[i]);
}

void zcg_origins_free(struct zcg_origins *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		origin_done(&o->origins[i]);
	free(o->origins);
	free(o);
}

static void add_known(int64_t *sum, int64_t v)
{
	if (v < 0)
		*sum = -1;
	else if (*sum >= 0)
		*sum += v;
}

int zcg_origins_group(const struct zcg_census *c, struct zcg_origins **ret)
{
	return zcg_origins_group_cached(c, NULL, NULL, ret);
}

int zcg_origins_group_removals(const struct zcg_census *c, struct zcg_removals *rm, struct zcg_origins **ret)
{
	return zcg_origins_group_cached(c, rm, NULL, ret);
}

/* A copy of from into ret (its strings newly allocated). Returns 0 or -ENOMEM. */
static int class_copy(const struct zcg_origin_class *from, struct zcg_origin_class *ret)
{
	*ret = (struct zcg_origin_class) { .kind = from->kind, .uid = from->uid, .pattern = strdup(from->pattern),
					   .origin = strdup(from->origin) };
	if (from->unit)
		ret->unit = strdup(from->unit);
	if (!ret->pattern || !ret->origin || (from->unit && !ret->unit)) {
		zcg_origin_class_done(ret);
		return -ENOMEM;
	}
	return 0;
}

int zcg_origins_group_cached(const struct zcg_census *c, struct zcg_removals *rm,
			     const struct zcg_origin_tracker *t, struct zcg_origins **ret)
{
	_cleanup_free_ struct classified *rows = NULL;
	struct zcg_origins *o = NULL;
	size_t n = 0;
	int r = -ENOMEM;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->estimated = c->n_zombies && c->zombies[0].estimated;
	if (!c->n_zombies) {
		*ret = o;
		return 0;
	}
	rows = calloc(c->n_zombies, sizeof(*rows));
	o->origins = calloc(c->n_zombies, sizeof(*o->origins));
	if (!rows || !o->origins)
		goto fail;
	for (; n < c->n_zombies; n++) {
		const struct zcg_zombie *z = &c->zombies[n];
		_cleanup_free_ char *below = NULL;
		const struct zcg_removal *rec = z->estimated ? NULL : zcg_removals_find(rm, z->id);
		const struct zcg_origin_class *cached;

		if (z->estimated) {
			below = path_join(z->parent, "*");
			if (!below)
				goto fail;
		}
		rows[n].row = n;
		rows[n].rec = rec;
		cached = z->estimated ? NULL : zcg_origin_tracker_class(t, z->id);
		/* the path at removal is the zombie's own, whatever became of its ancestors */
		r = cached ? class_copy(cached, &rows[n].cls) :
			     zcg_origin_classify(below ?: rec ? rec->path : z->path, &rows[n].cls);
		if (r < 0)
			goto fail;
	}
	qsort_safe(rows, n, sizeof(*rows), cmp_classified);
	for (size_t i = 0; i < n; i++) {
		const struct zcg_zombie *z = &c->zombies[rows[i].row];
		struct zcg_origin *g;

		if (!o->n || !streq(o->origins[o->n - 1].pattern, rows[i].cls.pattern)) {
			g = &o->origins[o->n++];
			*g = (struct zcg_origin) {
				.origin = TAKE_PTR(rows[i].cls.origin),
				.kind = rows[i].cls.kind,
				.pattern = TAKE_PTR(rows[i].cls.pattern),
				.unit = TAKE_PTR(rows[i].cls.unit),
				.uid = rows[i].cls.uid,
				.oldest_age_s = -1,
				.newest_age_s = -1,
				.rate_per_hour = -1,
				.restarts = -1,
				.kernel_overhead_bytes = -1,
				.removed_by_pid = -1,
				.removed_at = -1,
			};
		} else {
			g = &o->origins[o->n - 1];
		}
		add_known(&g->dying, z->count);
		add_known(&g->pinned_bytes, row_pinned(z));
		if (rows[i].rec && rows[i].rec->removed_ns &&
		    (int64_t)(rows[i].rec->removed_ns / 1000000000) >= g->removed_at) {
			g->removed_at = (int64_t)(rows[i].rec->removed_ns / 1000000000);
			g->removed_by_pid = rows[i].rec->pid;
			snprintf(g->removed_by, sizeof(g->removed_by), "%s", rows[i].rec->comm);
		}
		if (!z->estimated && g->n_examples < ZCG_ORIGIN_EXAMPLES) {
			g->examples[g->n_examples] = strdup(rows[i].rec ? rows[i].rec->path : z->path);
			if (!g->examples[g->n_examples])
				goto fail;
			g->n_examples++;
		}
	}
	for (size_t i = 0; i < o->n; i++) {
		struct zcg_origin *g = &o->origins[i];

		if (c->kernel_overhead_bytes >= 0 && c->dying > 0 && g->dying >= 0)
			g->kernel_overhead_bytes = c->kernel_overhead_bytes / c->dying * g->dying;
		r = zcg_origin_advise(g, &g->advice);
		if (r < 0)
			goto fail;
	}
	qsort_safe(o->origins, o->n, sizeof(*o->origins), cmp_origin);
	for (size_t i = 0; i < n; i++)
		zcg_origin_class_done(&rows[i].cls);
	*ret = o;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		zcg_origin_class_done(&rows[i].cls);
	zcg_origins_free(o);
	return r < 0 ? r : -ENOMEM;
}

static int top_entry(struct zcg_origins *t, size_t *cap, const char *origin, enum zcg_origin_kind kind,
		     const char *pattern, struct zcg_origin **ret)
{
	struct zcg_origin *d;

	if (grow_array((void **)&t->origins, cap, t->n + 1, sizeof(*t->origins)) < 0)
		return -ENOMEM;
	d = &t->origins[t->n++];
	*d = (struct zcg_origin) { .origin = strdup(origin), .kind = kind, .pattern = strdup(pattern), .uid = -1,
				   .rate_per_hour = -1, .restarts = -1, .oldest_age_s = -1, .newest_age_s = -1,
				   .removed_by_pid = -1, .removed_at = -1 };
	if (!d->origin || !d->pattern)
		return -ENOMEM;
	*ret = d;
	return 0;
}

int zcg_origins_top(const struct zcg_origins *o, size_t top, struct zcg_origins **ret)
{
	struct zcg_origins *t = calloc(1, sizeof(*t));
	size_t cap = 0;

	if (!t)
		return -ENOMEM;
	t->estimated = o->estimated;
	for (size_t i = 0; i < o->n; i++) {
		const struct zcg_origin *s = &o->origins[i];
		size_t named = t->n < top ? t->n : top;
		struct zcg_origin *d = NULL;

		for (size_t j = 0; j < named && !d; j++)
			if (t->origins[j].kind == s->kind && streq(t->origins[j].origin, s->origin))
				d = &t->origins[j];
		if (!d && t->n < top && top_entry(t, &cap, s->origin, s->kind, s->pattern, &d) < 0)
			goto fail;
		if (!d && t->n == top && top_entry(t, &cap, "other", ZCG_ORIGIN_GENERIC, "*", &d) < 0)
			goto fail;
		if (!d)
			d = &t->origins[top];
		add_known(&d->dying, s->dying);
		add_known(&d->pinned_bytes, s->pinned_bytes);
		add_known(&d->kernel_overhead_bytes, s->kernel_overhead_bytes);
	}
	*ret = t;
	return 0;
fail:
	zcg_origins_free(t);
	return -ENOMEM;
}

/* ---- facts from the system ------------------------------------------------------------- */

int zcg_origin_unit_restarts(const char *unit, int64_t *ret)
{
	char buf[64];
	uint64_t v;
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(fds[1], STDOUT_FILENO);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("systemctl", "systemctl", "show", "--property=NRestarts", "--value", "--", unit, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 && (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || parse_u64(buf, &v) < 0 || v > INT64_MAX)
		return -ENODATA;
	*ret = (int64_t)v;
	return 0;
}

int zcg_origins_look_up_facts(struct zcg_origins *o, const char *root, bool live_host)
{
	/* systemd's own test for "booted with systemd" (sd_booted()) */
	bool systemd = live_host && access("/run/systemd/system", F_OK) == 0;
	size_t asked = 0;

	for (size_t i = 0; i < o->n; i++) {
		struct zcg_origin *g = &o->origins[i];
		int64_t restarts = -1;
		bool timer;
		int r;

		if (g->kind != ZCG_ORIGIN_SERVICE || !g->unit)
			continue;
		timer = zcg_origin_unit_has_timer(root, g->unit) > 0;
		/* one systemctl per service, for the first few: the largest origins matter */
		if (systemd && asked < ZCG_ORIGIN_RESTART_LOOKUPS) {
			asked++;
			if (zcg_origin_unit_restarts(g->unit, &restarts) < 0)
				restarts = -1;
		}
		r = zcg_origin_set_facts(g, timer, restarts);
		if (r < 0)
			return r;
	}
	return 0;
}
