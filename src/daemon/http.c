// SPDX-License-Identifier: GPL-2.0
/* /metrics and /healthz over HTTP (libmicrohttpd, one internal thread). Responses are copies
 * of text the main loop rendered after its last census, so a scrape costs a memcpy, never a
 * census, and a flood of scrapes cannot make the daemon scan more. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "error.h"
#include "log.h"
#include "util.h"

struct daemon_http {
	struct MHD_Daemon *mhd;
	struct daemon_published *pub;
	char address[80];
};

static const char index_page[] =
	"zombiecg daemon: dying memory cgroups\n\n"
	"/metrics  Prometheus metrics\n"
	"/healthz  200 if the last census is recent, else 503\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct daemon_http *h = cls;
	struct daemon_published *pub = h->pub;
	static const char text[] = "text/plain; charset=utf-8";
	enum MHD_Result ret;

	if (!streq(method, "GET") && !streq(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, "method not allowed\n", 19);
	if (streq(url, "/metrics")) {
		pthread_mutex_lock(&pub->lock);
		if (pub->metrics)
			ret = reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
				    pub->metrics, pub->metrics_len);
		else
			ret = reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text, "no census yet\n", 14);
		pthread_mutex_unlock(&pub->lock);
		return ret;
	}
	if (streq(url, "/healthz")) {
		uint64_t now = daemon_now_ms();
		char body[400];
		unsigned status;

		pthread_mutex_lock(&pub->lock);
		if (!pub->last_ok_ms) {
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
			snprintf(body, sizeof(body), "starting: no census yet; %s\n", pub->status);
		} else if (now - pub->last_ok_ms > pub->stale_after_ms) {
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
			snprintf(body, sizeof(body), "stale: last good census %llu s ago; %s\n",
				 (unsigned long long)(now - pub->last_ok_ms) / 1000, pub->status);
		} else {
			status = MHD_HTTP_OK;
			snprintf(body, sizeof(body), "ok: last census %llu s ago; %s\n",
				 (unsigned long long)(now - pub->last_ok_ms) / 1000, pub->status);
		}
		pthread_mutex_unlock(&pub->lock);
		return reply(conn, status, text, body, strlen(body));
	}
	if (streq(url, "/"))
		return reply(conn, MHD_HTTP_OK, text, index_page, sizeof(index_page) - 1);
	return reply(conn, MHD_HTTP_NOT_FOUND, text, "not found\n", 10);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	zlog(LOG_WARNING, "http", "%s", msg);
}

/* Resolves "ADDR:PORT" (numeric addresses or host names) to a socket address. */
static int resolve(const char *listen, struct sockaddr_storage *ret_sa, socklen_t *ret_len,
		   bool *ret_any)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char host[128], port_s[8];
	uint16_t port;
	int r;

	if (zcg_parse_listen(listen, host, sizeof(host), &port) < 0)
		return zcg_error(-EINVAL, "listen address '%s' is not ADDR:PORT", listen);
	*ret_any = !host[0];
	if (!host[0])
		return port;	/* all addresses: libmicrohttpd's dual-stack socket */
	snprintf(port_s, sizeof(port_s), "%u", port);
	r = getaddrinfo(host, port_s, &hints, &res);
	if (r != 0)
		return zcg_error(-EADDRNOTAVAIL, "cannot resolve listen address %s: %s", host, gai_strerror(r));
	memcpy(ret_sa, res->ai_addr, res->ai_addrlen);
	*ret_len = res->ai_addrlen;
	freeaddrinfo(res);
	return port;
}

int daemon_http_start(const char *listen, struct daemon_published *pub, struct daemon_http **ret)
{
	struct sockaddr_storage sa = {0};
	socklen_t salen = 0;
	const union MHD_DaemonInfo *info;
	struct daemon_http *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	bool any = false;
	int port;

	port = resolve(listen, &sa, &salen, &any);
	if (port < 0)
		return port;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->pub = pub;
	if (any)
		flags |= MHD_USE_DUAL_STACK;
	else if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	if (any)
		h->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, h,
					  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
					  MHD_OPTION_CONNECTION_LIMIT, 16u,
					  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
					  MHD_OPTION_END);
	else
		h->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, h,
					  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
					  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					  MHD_OPTION_CONNECTION_LIMIT, 16u,
					  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
					  MHD_OPTION_END);
	if (!h->mhd) {
		int r = errno ? -errno : -EADDRINUSE;

		free(h);
		return zcg_error_errno(r, "cannot listen on %s", listen);
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info)
		port = info->port;
	if (any) {
		snprintf(h->address, sizeof(h->address), ":%d", port);
	} else {
		char host[INET6_ADDRSTRLEN] = "";

		if (sa.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, host, sizeof(host));
			snprintf(h->address, sizeof(h->address), "[%s]:%d", host, port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, host, sizeof(host));
			snprintf(h->address, sizeof(h->address), "%s:%d", host, port);
		}
	}
	*ret = h;
	return 0;
}

void daemon_http_stop(struct daemon_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}

const char *daemon_http_address(const struct daemon_http *h)
{
	return h->address;
}
