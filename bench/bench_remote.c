/*
 * bench_remote.c — `smolder-bench --remote`: what opening a flame graph from a Pyroscope
 * server costs on our side, per codec.
 *
 * A synthetic profile (folded stacks over 3,000 function names, made here so the
 * figures reproduce anywhere) is laid out as the query server answers
 * SelectMergeStacktraces with max_nodes 16384 (Grafana's Profiles Drilldown default):
 * about 16k nodes.  That answer, encoded in protobuf and in Connect JSON, is then
 * timed as the client handles it: decoding the body (protobuf-c unpack or jansson +
 * the descriptor-driven JSON mapping), building the model from the levels, the call
 * tree, and the first flame graph layout (200 columns, 60 rows); then the explorer's
 * first frame drawn to an off-screen 200×60 terminal.  Target: decode + model + first
 * layout under 50 ms.  Each figure is the median of 7 runs; a sum of phases is timed as
 * a sum in each run, then its median taken.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "bench.h"
#include "ingest/decode.h"
#include "profile/flame.h"
#include "profile/flamebearer.h"
#include "profile/prof.h"
#include "profile/tree.h"
#include "querier.pb-c.h"
#include "store/pbjson.h"
#include "store/remote.h"
#include "tui/tui.h"

#define RUNS 7
#define MAX_NODES 16384

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Folded stacks, depth 4..14, skewed so prefixes are shared as in real trees. */
static void make_folded(struct buf *out, uint32_t nstacks)
{
	uint64_t s = 7;
	uint32_t i, d;

	for (i = 0; i < nstacks; i++) {
		uint32_t depth = 4 + (uint32_t)(rng(&s) % 11);

		buf_puts(out, "main");
		for (d = 0; d < depth; d++) {
			uint32_t f = (uint32_t)(rng(&s) % (d < 2 ? 10 : 3000));

			buf_printf(out,
				   ";github.com/acme/shop/internal/pkg%u.(*Service%u).Handle%u",
				   f % 97, f % 31, f);
		}
		buf_printf(out, " %u\n", 1 + (uint32_t)(rng(&s) % 1000));
	}
}

/* The server's answer for p, in both codecs. */
static int answer(const struct prof *p, struct buf *proto, struct buf *json, uint32_t *nodes)
{
	Querier__V1__SelectMergeStacktracesResponse resp =
		QUERIER__V1__SELECT_MERGE_STACKTRACES_RESPONSE__INIT;
	Querier__V1__FlameGraph fg = QUERIER__V1__FLAME_GRAPH__INIT;
	Querier__V1__Level *levels = NULL, **pl = NULL;
	struct flamebearer fb = { 0 };
	struct tree *t = NULL;
	uint32_t i;
	int rc;

	if ((rc = tree_build(p, &t)) || (rc = flamebearer_build(t, 0, MAX_NODES, &fb)))
		goto done;
	levels = calloc(fb.nlevels + 1, sizeof(*levels));
	pl = calloc(fb.nlevels + 1, sizeof(*pl));
	if (!levels || !pl) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	*nodes = 0;
	for (i = 0; i < fb.nlevels; i++) {
		querier__v1__level__init(&levels[i]);
		levels[i].n_values = fb.levels[i].n;
		levels[i].values = fb.levels[i].v;
		pl[i] = &levels[i];
		*nodes += (uint32_t)(fb.levels[i].n / 4);
	}
	fg.n_names = fb.nnames;
	fg.names = (char **)fb.names;
	fg.n_levels = fb.nlevels;
	fg.levels = pl;
	fg.has_total = fg.has_max_self = 1;
	fg.total = fb.total;
	fg.max_self = fb.max_self;
	resp.flamegraph = &fg;
	if (!(rc = pb_encode(&resp.base, PB_PROTO, proto)))
		rc = pb_encode(&resp.base, PB_JSON, json);
done:
	free(levels);
	free(pl);
	flamebearer_release(&fb);
	tree_free(t);
	return rc;
}

/*
 * Medians over the runs.  The sums are each run's sum, then their median: the sum of
 * three medians (taken from different runs) is no run's time.
 */
struct figures {
	double decode, tree, layout, draw;
	double to_layout;  /* decode + tree + layout */
	double to_frame;   /* decode + the explorer's first frame */
};

static int client(enum remote_codec c, const struct buf *body, struct figures *f)
{
	static const struct fb_prof_info info = { "cpu", "nanoseconds", "cpu", "nanoseconds", 0, 0, 0 };
	double dec[RUNS], tr[RUNS], lay[RUNS], draw[RUNS], to_lay[RUNS], to_frame[RUNS];
	int r;

	for (r = 0; r < RUNS; r++) {
		struct flame_opts o = { 0, 0, PROF_NONE, 200, 60, false };
		struct tui_opts to = { .source = "bench", .sample_type = -1, .no_mouse = true };
		struct flame fl = { 0 };
		struct prof *p = NULL;
		struct tree *t = NULL;
		struct tui_app *a = NULL;
		double t0 = now_ms();

		if (remote_decode_flamegraph(c, (const uint8_t *)body->data, body->len, &info, &p,
					     NULL))
			goto fail;
		dec[r] = now_ms() - t0;
		t0 = now_ms();
		if (tree_build(p, &t))
			goto fail;
		tr[r] = now_ms() - t0;
		t0 = now_ms();
		if (flame_layout(t, &o, &fl))
			goto fail;
		lay[r] = now_ms() - t0;
		to_lay[r] = dec[r] + tr[r] + lay[r];
		flame_release(&fl);
		tree_free(t);
		t = NULL;
		/* the explorer's first frame: its own tree, layout and drawing */
		t0 = now_ms();
		if (tui_app_new(p, &to, &a)) {
			p = NULL;  /* freed by tui_app_new on failure too */
			goto fail;
		}
		tui_app_draw(a);
		refresh();
		draw[r] = now_ms() - t0;
		to_frame[r] = dec[r] + draw[r];
		tui_app_free(a);
		continue;
fail:
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		tree_free(t);
		prof_free(p);
		return 1;
	}
	f->decode = bench_median(dec, RUNS);
	f->tree = bench_median(tr, RUNS);
	f->layout = bench_median(lay, RUNS);
	f->draw = bench_median(draw, RUNS);
	f->to_layout = bench_median(to_lay, RUNS);
	f->to_frame = bench_median(to_frame, RUNS);
	return 0;
}

int bench_remote(void)
{
	struct buf folded = BUF_INIT, proto = BUF_INIT, json = BUF_INIT;
	struct figures fp, fj;
	struct prof *p = NULL;
	uint32_t nodes = 0;
	FILE *null_out = NULL, *null_in = NULL;
	SCREEN *scr = NULL;
	int rc = 1;

	make_folded(&folded, 5200);
	if (decode_profile((const uint8_t *)folded.data, folded.len, "synthetic", &p) ||
	    answer(p, &proto, &json, &nodes)) {
		fprintf(stderr, "smolder-bench: %s\n", err_last());
		goto done;
	}
	null_out = fopen("/dev/null", "w");
	null_in = fopen("/dev/null", "r");
	if (!null_out || !null_in || !(scr = newterm("xterm-256color", null_out, null_in))) {
		fprintf(stderr,
			"smolder-bench: no off-screen terminal (xterm-256color terminfo)\n");
		goto done;
	}
	set_term(scr);
	resizeterm(60, 200);
	if (client(REMOTE_CODEC_PROTO, &proto, &fp) || client(REMOTE_CODEC_JSON, &json, &fj))
		goto done;
	endwin();
	printf("flame graph from a server (SelectMergeStacktraces, max_nodes %d): %u nodes\n",
	       MAX_NODES, nodes);
	printf("                                  proto        JSON\n");
	printf("  answer size                %8.1f KiB %8.1f KiB\n", proto.len / 1024.0,
	       json.len / 1024.0);
	printf("  decode + model             %9.2f ms %8.2f ms\n", fp.decode, fj.decode);
	printf("  call tree                  %9.2f ms %8.2f ms\n", fp.tree, fj.tree);
	printf("  first flame layout         %9.2f ms %8.2f ms\n", fp.layout, fj.layout);
	printf("  decode..first layout       %9.2f ms %8.2f ms   (target < 50 ms)\n",
	       fp.to_layout, fj.to_layout);
	printf("  explorer's first frame     %9.2f ms %8.2f ms   (200x60: its tree, tables, "
	       "draw)\n",
	       fp.draw, fj.draw);
	printf("  decode..first frame drawn  %9.2f ms %8.2f ms\n", fp.to_frame, fj.to_frame);
	rc = 0;
done:
	if (scr)
		delscreen(scr);
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
	prof_free(p);
	buf_release(&folded);
	buf_release(&proto);
	buf_release(&json);
	return rc;
}
