// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "error.h"
#include "bpf_folios.h"
#include "bpf_common.h"
#include "util.h"

#ifndef HAVE_BPF

int zcg_folio_walker_open(const char *memory_dir, struct zcg_folio_walker **ret)
{
	return zcg_error(-EOPNOTSUPP, "this build has no BPF support");
}

void zcg_folio_walker_close(struct zcg_folio_walker *w)
{
}

int zcg_folio_walker_memcgs(struct zcg_folio_walker *w, struct zcg_folio_memcg_rec **ret_recs, size_t *ret_n)
{
	return -EOPNOTSUPP;
}

int zcg_folio_walker_folios(struct zcg_folio_walker *w, const struct zcg_walk_target *targets, size_t n_targets,
			    struct zcg_folio_rec **ret_recs, size_t *ret_n, struct zcg_walk_result **ret_results)
{
	return -EOPNOTSUPP;
}

void zcg_folio_walker_counts(const struct zcg_folio_walker *w, uint64_t *ret_steps, uint64_t *ret_runs)
{
	*ret_steps = *ret_runs = 0;
}

#else

#include <fcntl.h>
#include <stdarg.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "memcg_folios.skel.h"

/* A run stops after this many steps; each step reads a dozen words of kernel memory, so a
 * run holds cgroup_mutex for a few milliseconds at most. */
#define FOLIO_BUDGET 8192
/* A memcg record costs a few times a folio step (its LRU sizes are summed over nodes and
 * zones): fewer per run keep each run as short (bench/scale.sh: mkdir+rmdir latency). */
#define MEMCG_RECORDS_PER_RUN 2048
/* Far more runs than any real walk needs (2^16 runs of 8192 folios: 2 TiB of 4 KiB pages),
 * but a bound in case lists keep changing under the walk. */
#define MAX_RUNS (1u << 17)

struct zcg_folio_walker {
	struct memcg_folios_bpf *skel;
	struct bpf_link *link;
	struct ring_buffer *rb;
	/* where the ring buffer callback puts records: memcg or folio records in recs, and
	 * in folio mode one result per target walked */
	void *recs;
	size_t n, allocated, rec_size;
	uint32_t want_type;
	struct zcg_walk_result *results;
	size_t n_results;
	const struct zcg_walk_target *targets;	/* of the batch under way */
	size_t n_targets;
	int error;
	uint64_t steps, runs;
	char *dir;		/* the hierarchy it is attached to */
};

/* A target's walk ended: its folios are those received since the previous one's. */
static int on_walked(struct zcg_folio_walker *w, const struct zcg_walked_rec *rec)
{
	struct zcg_walk_result *res;
	size_t first = w->n_results ? w->results[w->n_results - 1].first + w->results[w->n_results - 1].n : 0;

	if (w->n_results >= w->n_targets || w->targets[w->n_results].id != rec->id)
		return -EPROTO;	/* out of step with what we asked for */
	res = &w->results[w->n_results++];
	res->id = rec->id;
	res->first = first;
	res->n = w->n - first;
	res->gone = rec->status == ZCG_WALK_NOT_FOUND;
	res->stats.restarts = rec->restarts;
	res->stats.strays = rec->strays;
	res->stats.complete = rec->status == ZCG_WALK_DONE;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct zcg_folio_walker *w = ctx;
	const uint32_t *type = data;
	int r;

	if (size >= sizeof(struct zcg_walked_rec) && *type == ZCG_REC_WALKED && w->want_type == ZCG_REC_FOLIO) {
		r = on_walked(w, data);
		if (r < 0)
			w->error = r;
		return r;
	}
	if (size < w->rec_size || *type != w->want_type)
		return 0;
	r = grow_array(&w->recs, &w->allocated, w->n + 1, w->rec_size);
	if (r < 0) {
		w->error = r;
		return r;	/* stops ring_buffer__consume */
	}
	memcpy((char *)w->recs + w->n * w->rec_size, data, w->rec_size);
	w->n++;
	return 0;
}

/* The last walker closed, kept loaded for the next open on the same hierarchy: the daemon
 * explains every interval, and loading and verifying the program each time cost more CPU than
 * most walks. */
static struct zcg_folio_walker *kept;

static void walker_destroy(struct zcg_folio_walker *w)
{
	if (!w)
		return;
	free(w->dir);
	ring_buffer__free(w->rb);
	bpf_link__destroy(w->link);
	memcg_folios_bpf__destroy(w->skel);
	free(w->recs);
	free(w);
}

int zcg_folio_walker_open(const char *memory_dir, struct zcg_folio_walker **ret)
{
	struct zcg_folio_walker *w;
	_cleanup_close_ int cgfd = -1;
	bool cgroup_iter;
	int r;

	if (kept && streq(kept->dir, memory_dir)) {
		*ret = kept;
		kept->steps = kept->runs = 0;
		kept = NULL;
		return 0;
	}
	if (access(ZCG_BTF_VMLINUX, R_OK) < 0)
		return zcg_error(-EOPNOTSUPP, "the kernel has no BTF (/sys/kernel/btf/vmlinux), which CO-RE needs");
	zcg_bpf_messages_reset();

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->skel = memcg_folios_bpf__open();
	if (!w->skel) {
		r = -errno;
		r = zcg_error(r, "cannot open the BPF program: %s", strerror(-r));
		goto fail;
	}
	w->skel->data->nr_nodes = zcg_bpf_node_ids();
	w->skel->data->budget = FOLIO_BUDGET;
	w->skel->data->emit_limit = MEMCG_RECORDS_PER_RUN;
	/* Only the entry point this kernel has (iter/cgroup from 6.1, else iter/task): libbpf
	 * would fail the whole object on the other one's attach target. */
	cgroup_iter = zcg_kernel_has_cgroup_iter();
	bpf_program__set_autoload(w->skel->progs.memcg_folios, cgroup_iter);
	bpf_program__set_autoload(w->skel->progs.memcg_folios_task, !cgroup_iter);
	r = memcg_folios_bpf__load(w->skel);
	if (r < 0) {
		r = zcg_error(r, "cannot load the BPF program: %s%s%s", strerror(-r),
			      zcg_bpf_message()[0] ? ": " : "", zcg_bpf_message());
		goto fail;
	}
	cgfd = open(memory_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		r = -errno;
		r = zcg_error(r, "cannot open %s: %s", memory_dir, strerror(-r));
		goto fail;
	}
	/* the task iterator's first task leads to the root of the hierarchy memory is on */
	w->link = cgroup_iter ? zcg_bpf_attach_cgroup_iter(w->skel->progs.memcg_folios, cgfd) :
				bpf_program__attach_iter(w->skel->progs.memcg_folios_task, NULL);
	if (!w->link) {
		r = -errno;
		r = zcg_error(r, "cannot attach the cgroup iterator to %s: %s", memory_dir,
			      strerror(-r));
		goto fail;
	}
	w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.records), on_record, w, NULL);
	if (!w->rb) {
		r = -errno;
		r = zcg_error(r, "cannot set up the ring buffer: %s", strerror(-r));
		goto fail;
	}
	w->dir = strdup(memory_dir);
	if (!w->dir) {
		r = -ENOMEM;
		goto fail;
	}
	*ret = w;
	return 0;
fail:
	walker_destroy(w);
	return r;
}

void zcg_folio_walker_close(struct zcg_folio_walker *w)
{
	if (!w)
		return;
	/* Kept only if nothing of this use is left in the ring buffer (a walk that failed
	 * may have stopped consuming it). */
	free(w->recs);
	w->recs = NULL;
	w->n = w->allocated = 0;
	w->want_type = UINT32_MAX;	/* on_record drops whatever is left */
	w->rec_size = 0;
	w->error = 0;
	if (kept || ring_buffer__consume(w->rb) < 0 || w->error) {
		walker_destroy(w);
		return;
	}
	kept = w;
}

/* One run of the program: a fresh iterator instance read to its end, then the records. */
static int run_once(struct zcg_folio_walker *w)
{
	int r;

	w->skel->bss->task_started = 0;
	r = zcg_bpf_iter_run(w->link);
	if (r < 0)
		return zcg_error_errno(r, "cannot run the BPF folio walker's iterator");
	w->runs++;
	w->steps += w->skel->bss->steps;
	w->skel->bss->steps = 0;
	r = ring_buffer__consume(w->rb);
	if (w->error == -EPROTO)
		return zcg_error(-EPROTO, "the BPF folio walk reported targets out of order");
	if (w->error)
		return w->error;
	if (r < 0)
		return zcg_error_errno(r, "cannot read the BPF ring buffer");
	return 0;
}

static void collect_begin(struct zcg_folio_walker *w, uint32_t type, size_t rec_size)
{
	free(w->recs);
	w->recs = NULL;
	w->n = w->allocated = 0;
	w->want_type = type;
	w->rec_size = rec_size;
	w->error = 0;
	w->results = NULL;
	w->n_results = 0;
	w->targets = NULL;
	w->n_targets = 0;
}

int zcg_folio_walker_memcgs(struct zcg_folio_walker *w, struct zcg_folio_memcg_rec **ret_recs, size_t *ret_n)
{
	struct memcg_folios_bpf__bss *bss = w->skel->bss;
	int r;

	collect_begin(w, ZCG_REC_MEMCG, sizeof(struct zcg_folio_memcg_rec));
	bss->mode = ZCG_MODE_MEMCGS;
	bss->resume_css = bss->resume_id = 0;
	for (unsigned run = 0;; run++) {
		if (run >= MAX_RUNS)
			return zcg_error(-EIO, "the BPF memcg walk did not finish in %u runs", MAX_RUNS);
		bss->skip_memcgs = w->n;
		r = run_once(w);
		if (r < 0)
			return r;
		if (bss->status == ZCG_WALK_DONE)
			break;
		if (bss->status != ZCG_WALK_MORE)
			return zcg_error(-EIO, "the BPF memcg walk stopped with status %u", bss->status);
	}
	*ret_recs = w->recs;
	*ret_n = w->n;
	w->recs = NULL;
	w->n = w->allocated = 0;
	return 0;
}

/* Hands a batch of targets to the program: the targets map, then the cursor at its start. */
static int load_batch(struct zcg_folio_walker *w, const struct zcg_walk_target *targets, size_t n)
{
	struct memcg_folios_bpf__bss *bss = w->skel->bss;
	uint32_t keys[ZCG_TARGET_BATCH];
	uint32_t count = (uint32_t)n;
	int r;

	for (uint32_t i = 0; i < count; i++)
		keys[i] = i;
	r = bpf_map_update_batch(bpf_map__fd(w->skel->maps.targets), keys, targets, &count, NULL);
	if (r < 0 || count != n) {
		/* kernels or maps without batch updates: one at a time */
		for (uint32_t i = 0; i < n; i++)
			if (bpf_map_update_elem(bpf_map__fd(w->skel->maps.targets), &keys[i], &targets[i], BPF_ANY) < 0)
				return zcg_error_errno(-errno, "cannot hand the BPF folio walk its targets");
	}
	bss->mode = ZCG_MODE_FOLIOS;
	bss->n_targets = (uint32_t)n;
	bss->cur_target = 0;
	bss->cur_node = bss->cur_list = 0;
	bss->cur_pos = 0;
	bss->cur_folios = 0;
	bss->cur_restarts = bss->cur_strays = 0;
	return 0;
}

int zcg_folio_walker_folios(struct zcg_folio_walker *w, const struct zcg_walk_target *targets, size_t n_targets,
			    struct zcg_folio_rec **ret_recs, size_t *ret_n, struct zcg_walk_result **ret_results)
{
	struct memcg_folios_bpf__bss *bss = w->skel->bss;
	struct zcg_walk_result *results;
	unsigned runs = 0;
	int r;

	collect_begin(w, ZCG_REC_FOLIO, sizeof(struct zcg_folio_rec));
	results = calloc(n_targets ? n_targets : 1, sizeof(*results));
	if (!results)
		return -ENOMEM;
	w->results = results;
	w->targets = targets;
	w->n_targets = n_targets;
	for (size_t done = 0; done < n_targets;) {
		size_t batch = n_targets - done < ZCG_TARGET_BATCH ? n_targets - done : ZCG_TARGET_BATCH;

		r = load_batch(w, targets + done, batch);
		if (r < 0)
			goto fail;
		while (bss->cur_target < batch) {
			if (++runs > MAX_RUNS) {
				/* lists that keep changing: what was walked stands, incomplete */
				r = 0;
				goto out;
			}
			r = run_once(w);
			if (r < 0)
				goto fail;
			if (bss->status != ZCG_WALK_DONE && bss->status != ZCG_WALK_MORE) {
				r = zcg_error(-EIO, "the BPF folio walk stopped with status %u", bss->status);
				goto fail;
			}
		}
		done += batch;
		if (w->n_results != done) {
			r = zcg_error(-EPROTO, "the BPF folio walk reported %zu of %zu targets", w->n_results, done);
			goto fail;
		}
	}
out:
	/* targets a stopped walk never reached: not walked, so not complete */
	for (size_t i = w->n_results; i < n_targets; i++) {
		results[i].id = targets[i].id;
		results[i].first = w->n;
	}
	*ret_recs = w->recs;
	*ret_n = w->n;
	*ret_results = results;
	w->recs = NULL;
	w->n = w->allocated = 0;
	w->results = NULL;
	w->targets = NULL;
	return 0;
fail:
	free(results);
	w->results = NULL;
	w->targets = NULL;
	return r;
}

void zcg_folio_walker_counts(const struct zcg_folio_walker *w, uint64_t *ret_steps, uint64_t *ret_runs)
{
	*ret_steps = w->steps;
	*ret_runs = w->runs;
}

#endif
