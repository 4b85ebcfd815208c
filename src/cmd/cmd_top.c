/*
 * cmd_top.c — `smolder top`: the top table printed once, with `go tool pprof -top`
 * semantics (flat, flat%, sum%, cum, cum%, name; sorted by flat, or by cum with -cum).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/diff.h"
#include "profile/filter.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "profile/top.h"
#include "profile/transform.h"

static void top_help(FILE *f)
{
	fputs("usage: smolder top [options] SOURCE\n"
	      "       smolder top [options] --db PATH [--query SEL] [--profile-type ID] ...\n"
	      "\n"
	      "Print the functions with the most flat (self) cost, like `go tool pprof -top`.\n"
	      CMD_SOURCE_HELP
	      "\n"
	      "  -n, --nodecount N        show at most N rows (default, 0 or less: all)\n"
	      "  -i, --sample-index NAME  sample type by name or index (default: the profile's)\n"
	      "  -f, --format FMT         text (default) or tsv: exact integers for scripts\n"
	      "      --cum, --flat        sort by cumulative or by flat cost (the default);\n"
	      "                           one of them, as pprof takes them\n"
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "\n",
	      f);
	fputs(CMD_TRANSFORM_HELP
	      "      --diff-base BASE     show this profile minus BASE (pprof's -diff_base):\n"
	      "                           negative rows got cheaper, % are of BASE's total\n"
	      "Percentages stay relative to the unfiltered total, as in pprof.\n"
	      "\n"
	      CMD_STORE_HELP
	      "\n"
	      "pprof's single-dash spellings work too (-nodecount=N, -focus=RE, -cum, and\n"
	      "-inuse_space, -alloc_objects, -total_delay, ... for the sample index); its\n"
	      "options smolder lacks (-http, -nodefraction, ...) are refused by name.\n",
	      f);
}

static void print_top(const struct prof *p, const struct top *top, uint32_t type, long nodecount,
		      bool tsv, const char *src, const char *note)
{
	const char *unit = prof_str(p, p->sample_types[type].unit);
	uint32_t i, n = top->n;
	int64_t sum = 0, shown = 0;
	char a[UNITS_MAX], b[UNITS_MAX], c[UNITS_MAX], d[UNITS_MAX], e[UNITS_MAX];
	double tot = (double)top->total;

	if (nodecount > 0 && (uint64_t)nodecount < n)  /* 0: all, as pprof; not cut to 32 bits */
		n = (uint32_t)nodecount;
	if (tsv) {
		printf("flat\tflat%%\tsum%%\tcum\tcum%%\tname\n");
	} else {
		for (i = 0; i < n; i++)
			shown += top->rows[i].flat;
		printf("File: ");
		cmd_put_safe(stdout, src, strlen(src), true);
		printf("\nType: ");
		cmd_put_safe(stdout, prof_str(p, p->sample_types[type].type),
			     prof_strlen(p, p->sample_types[type].type), true);
		if (note) {
			putchar('\n');
			cmd_put_safe(stdout, note, strlen(note), true);
		}
		units_format(a, sizeof(a), shown, unit);
		units_percent(b, sizeof(b), shown, top->total);
		units_format(c, sizeof(c), top->total, unit);
		printf("\nShowing nodes accounting for %s, %s of %s total", a, b, c);
		if (n < top->n)
			printf("\nShowing top %u nodes out of %u", n, top->n);
		printf("\n%10s %7s %7s %10s %7s  %s\n", "flat", "flat%", "sum%", "cum", "cum%",
		       "name");
	}
	for (i = 0; i < n; i++) {
		const struct top_row *r = &top->rows[i];

		sum += r->flat;
		if (tsv) {
			printf("%lld\t%.2f\t%.2f\t%lld\t%.2f\t", (long long)r->flat,
			       tot ? fabs(100.0 * r->flat / tot) : 0, tot ? fabs(100.0 * sum / tot) : 0,
			       (long long)r->cum, tot ? fabs(100.0 * r->cum / tot) : 0);
		} else {
			units_format(a, sizeof(a), r->flat, unit);
			units_percent(b, sizeof(b), r->flat, top->total);
			units_percent(c, sizeof(c), sum, top->total);
			units_format(d, sizeof(d), r->cum, unit);
			units_percent(e, sizeof(e), r->cum, top->total);
			printf("%10s %7s %7s %10s %7s  ", a, b, c, d, e);
		}
		if (prof_strlen(p, r->name))
			cmd_put_safe(stdout, prof_str(p, r->name), prof_strlen(p, r->name), true);
		else
			fputs("<unknown>", stdout);  /* pprof's name for a nameless function */
		putchar('\n');
	}
}

struct cum_key {
	int64_t cum;    /* |cum| */
	uint32_t rank;  /* the row's place in name order */
	struct top_row row;
};

static int cmp_cum(const void *x, const void *y)
{
	const struct cum_key *a = x, *b = y;

	if (a->cum != b->cum)
		return a->cum > b->cum ? -1 : 1;
	return (a->rank > b->rank) - (a->rank < b->rank);
}

/*
 * pprof's -cum order (CumNameOrder): |cum| descending, then name ascending.  (top_sort's
 * TOP_SORT_CUM breaks ties by flat first, as the explorer's table does.)
 */
static int sort_cum(struct top *top, const struct prof *p)
{
	struct cum_key *k;
	uint32_t i;

	if (top->n == 0)
		return 0;
	if (!(k = calloc(top->n, sizeof(*k))))
		return err_set(ERR_NOMEM, "out of memory");
	top_sort(top, p, TOP_SORT_NAME, false);
	for (i = 0; i < top->n; i++) {
		k[i].cum = top->rows[i].cum < 0 ? -top->rows[i].cum : top->rows[i].cum;
		k[i].rank = i;
		k[i].row = top->rows[i];
	}
	qsort(k, top->n, sizeof(*k), cmp_cum);
	for (i = 0; i < top->n; i++)
		top->rows[i] = k[i].row;
	free(k);
	return 0;
}

/*
 * base with only its sample type named like cur's one (a range of the store or a
 * server is one profile type, hence one sample type, where a Go file has two or more):
 * pprof's -diff_base pairs types by name, units of one family (prof_diff scales and
 * checks those), so the type of that name is kept, its unit equal to cur's when base
 * has it twice.  None of that name: one line naming the types base has.
 */
static int base_of_type(const struct prof *base, const struct prof *cur, const char *base_src,
			struct prof **out)
{
	const struct prof_value_type *want = &cur->sample_types[0];
	const char *wt = prof_str(cur, want->type), *wu = prof_str(cur, want->unit);
	struct buf have = BUF_INIT, src = BUF_INIT;
	uint32_t i, t = UINT32_MAX;
	int rc;

	*out = NULL;
	for (i = 0; i < base->ntypes; i++) {
		const struct prof_value_type *vt = &base->sample_types[i];

		if (strcmp(prof_str(base, vt->type), wt) != 0)
			continue;
		if (t == UINT32_MAX || strcmp(prof_str(base, vt->unit), wu) == 0)
			t = i;
	}
	if (t == UINT32_MAX) {
		for (i = 0; i < base->ntypes; i++)
			buf_printf(&have, "%s%s/%s", i ? ", " : "",
				   prof_str(base, base->sample_types[i].type),
				   prof_str(base, base->sample_types[i].unit));
		cmd_source_name(base_src, &src);
		rc = err_set(ERR_NOTFOUND, "the base '%s' has no sample type %s/%s (it has %s)",
			     src.data ? src.data : base_src, wt, wu,
			     have.data ? have.data : "none");
		goto done;
	}
	rc = prof_keep_type(base, t, NULL, out);
done:
	buf_release(&have);
	buf_release(&src);
	return rc;
}

int cmd_top(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "nodecount", required_argument, NULL, 'n' },
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		CMD_TRANSFORM_OPTIONS,
		CMD_STORE_OPTIONS,
		CMD_SECONDS_OPTION,
		{ "diff-base", required_argument, NULL, 'D' },
		{ "diff_base", required_argument, NULL, 'D' },
		{ "cum", no_argument, NULL, 'C' },
		{ "flat", no_argument, NULL, 'L' },
		CMD_PPROF_SAMPLE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	const char *sample_index = NULL, *format = "text";
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS, .pprof_names = true };
	struct cmd_store_src st = { 0 };
	struct cmd_loaded ld = { 0 };
	struct buf note = BUF_INIT, name = BUF_INIT;
	long nodecount = -1;
	struct prof *p = NULL, *base = NULL;
	struct cmd_bg_load bg;
	struct top top = { 0 };
	int64_t total = INT64_MIN;
	enum top_sort sort = TOP_SORT_FLAT;
	bool cum = false, flat = false;  /* given: pprof refuses both, in any order */
	const char *diff_base = NULL;
	int c, type, rc = 1;

	optind = 1;
	while ((c = cmd_getopt("top", argc, argv, "n:i:f:h", opts)) != -1) {
		switch (c) {
		case 'n':
			if (cmd_parse_nodecount("top", optarg, &nodecount))
				return 2;
			break;
		case 'i':
			sample_index = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'D':
			diff_base = optarg;
			break;
		case 'C':
			cum = true;
			break;
		case 'L':
			flat = true;
			break;
		case '?':
			return 2;
		case 'h':
			top_help(stdout);
			return 0;
		default:
			switch (cmd_shared_opt(c, optarg, &sample_index, &st, &tr)) {
			case 1: continue;
			case -1: return 2;
			}
			top_help(stderr);
			return 2;
		}
	}
	/*
	 * pprof takes -cum and -flat as one choice (its "sort" option): both given is
	 * "conflicting options set", not the last one winning; one given twice is fine
	 */
	if (cum && flat) {
		fputs("smolder top: --cum and --flat are two sort orders: pick one "
		      "(see smolder top --help)\n", stderr);
		return 2;
	}
	if (cum)
		sort = TOP_SORT_CUM;
	if (cmd_check_format("top", format, (const char *const[]){ "text", "tsv", NULL }))
		return 2;
	if (cmd_check_args("top", &st, argc - optind, argv + optind,
			   (const char *const[]){ "SOURCE", NULL }, 0))
		return 2;
	if (cmd_check_seconds("top", &st, (const char *const[]){ st.used ? NULL : argv[optind],
								 diff_base }, 2))
		return 2;
	/* a base URL is fetched while the profile loads, as pprof fetches them */
	if (diff_base)
		cmd_bg_load_start(&bg, diff_base, &st, env, true);
	if ((rc = cmd_load_any(&st, argv[optind], env, sample_index, &p, &type, &ld))) {
		if (diff_base)
			cmd_bg_load_abandon(&bg);
		cmd_loaded_release(&ld);
		return rc;
	}
	rc = 1;
	if (st.used)
		cmd_aggregation_note(&ld, &note);
	if (diff_base) {
		struct prof *d = NULL, *one = NULL;

		if (cmd_bg_load_finish(&bg, &base))
			goto base_failed;
		if (st.used && p->ntypes == 1) {
			/* its types as a store keeps them, '_' for '-' (perf's cpu-clock) */
			if (prof_rename_types(base, '-', '_', NULL, &one))
				goto base_failed;
			if (one) {
				prof_free(base);
				base = one;
			}
			if (base_of_type(base, p, diff_base, &one))
				goto base_failed;
			prof_free(base);
			base = one;
		}
		if (prof_diff(base, p, &d)) {
base_failed:
			cmd_errorf("%s", err_last());
			prof_free(base);
			goto done;
		}
		/* none asked for: pprof's from both headers (the base's when p names none) */
		if (!(sample_index && *sample_index))
			type = (int)diff_default_type(base, p);
		/*
		 * pprof (computeTotal): percentages of the base's total, or, when that is 0 (an
		 * empty base), of the difference's own — both read from the difference below
		 * (top_pprof_total), where the base's values are in the unit the two sides
		 * were scaled to, as pprof reads them
		 */
		prof_free(base);
		prof_free(p);
		p = d;
	}
	/* pprof: percentages of the unfiltered profile (or of the diff base) */
	if (total == INT64_MIN)
		total = top_pprof_total(p, (uint32_t)type);
	if (cmd_transform(&p, &tr))
		goto done;
	if (top_compute(p, (uint32_t)type, &top)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	top.total = total;
	if (sort == TOP_SORT_CUM) {
		if (sort_cum(&top, p)) {
			cmd_errorf("%s", err_last());
			goto done;
		}
	} else {
		top_sort(&top, p, TOP_SORT_FLAT, false);
	}
	if (!st.used && cmd_source_name(argv[optind], &name)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	print_top(p, &top, (uint32_t)type, nodecount, strcmp(format, "tsv") == 0,
		  st.used ? ld.desc.data : name.data, st.used ? note.data : NULL);
	rc = 0;
done:
	cmd_loaded_release(&ld);
	buf_release(&note);
	buf_release(&name);
	top_release(&top);
	prof_free(p);
	return rc;
}
