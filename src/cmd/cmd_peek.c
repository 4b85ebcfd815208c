/*
 * cmd_peek.c — `smolder peek REGEX SOURCE`: the callers and callees of every matching
 * function with the weights `go tool pprof -peek` prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/granularity.h"
#include "profile/peek.h"

static void peek_help(FILE *f)
{
	fputs("usage: smolder peek [options] REGEX SOURCE\n"
	      "       smolder peek [options] REGEX --db PATH [--query SEL]\n"
	      "                    [--profile-type ID] ...\n"
	      "\n"
	      "For every function whose name matches REGEX: its callers, itself (flat, cum) and\n"
	      "its callees, with the weight of each call edge, like `go tool pprof -peek`.\n"
	      CMD_SOURCE_HELP
	      "\n"
	      "  -i, --sample-index NAME  sample type by name or index (default: the profile's)\n"
	      "  -f, --format FMT         text (default) or tsv: rows kind, function, name,\n"
	      "                           flat, cum, weight with exact integers\n"
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "\n" CMD_TRANSFORM_HELP
	      "Percentages stay relative to the unfiltered total, as in pprof.\n"
	      "\n" CMD_STORE_HELP "\n" CMD_PPROF_SAMPLE_HELP,
	      f);
}

static void put_name(const struct prof *p, uint32_t id)
{
	if (prof_strlen(p, id))
		cmd_put_safe(stdout, prof_str(p, id), prof_strlen(p, id), true);
	else
		fputs("<unknown>", stdout);  /* pprof's name for a nameless function */
}

/* ld: what was merged from a store or server (its "Aggregation:" line), or NULL. */
static void print_text(const struct prof *p, const struct peek *pk, uint32_t type,
		       const struct cmd_loaded *ld)
{
	const char *unit = prof_str(p, p->sample_types[type].unit);
	const char *rule = "----------------------------------------------------------+-------------";
	char a[UNITS_MAX], b[UNITS_MAX], c[UNITS_MAX], d[UNITS_MAX];
	int64_t sum = 0;
	uint32_t i, j;

	printf("Type: ");
	put_name(p, p->sample_types[type].type);
	putchar('\n');
	if (ld)
		cmd_put_merge_note(stdout, &ld->info, ld->from_ns, ld->to_ns, NULL);
	units_format(a, sizeof(a), pk->total, unit);
	printf("%u functions match, of %s total\n%s\n", pk->n, a, rule);
	printf("%10s %7s %7s %10s %7s  %10s %7s   context\n%s\n", "flat", "flat%", "sum%", "cum",
	       "cum%", "calls", "calls%", rule);
	for (i = 0; i < pk->n; i++) {
		const struct peek_entry *e = &pk->entries[i];

		for (j = 0; j < e->ncallers; j++) {
			units_format(a, sizeof(a), e->callers[j].weight, unit);
			units_percent(b, sizeof(b), e->callers[j].weight, e->fn.cum);
			printf("%46s  %10s %7s |   ", "", a, b);
			put_name(p, e->callers[j].name);
			putchar('\n');
		}
		sum += e->fn.flat;
		units_format(a, sizeof(a), e->fn.flat, unit);
		units_percent(b, sizeof(b), e->fn.flat, pk->total);
		units_format(c, sizeof(c), e->fn.cum, unit);
		units_percent(d, sizeof(d), e->fn.cum, pk->total);
		printf("%10s %7s ", a, b);
		units_percent(a, sizeof(a), sum, pk->total);
		printf("%7s %10s %7s  %18s | ", a, c, d, "");
		put_name(p, e->fn.name);
		putchar('\n');
		for (j = 0; j < e->ncallees; j++) {
			units_format(a, sizeof(a), e->callees[j].weight, unit);
			units_percent(b, sizeof(b), e->callees[j].weight, e->fn.cum);
			printf("%46s  %10s %7s |   ", "", a, b);
			put_name(p, e->callees[j].name);
			putchar('\n');
		}
		printf("%s\n", rule);
	}
}

static void print_tsv(const struct prof *p, const struct peek *pk)
{
	uint32_t i, j;

	printf("kind\tfunction\tname\tflat\tcum\tweight\n");
	for (i = 0; i < pk->n; i++) {
		const struct peek_entry *e = &pk->entries[i];

		for (j = 0; j < e->ncallers; j++) {
			printf("caller\t");
			put_name(p, e->fn.name);
			putchar('\t');
			put_name(p, e->callers[j].name);
			printf("\t\t\t%lld\n", (long long)e->callers[j].weight);
		}
		printf("self\t");
		put_name(p, e->fn.name);
		putchar('\t');
		put_name(p, e->fn.name);
		printf("\t%lld\t%lld\t\n", (long long)e->fn.flat, (long long)e->fn.cum);
		for (j = 0; j < e->ncallees; j++) {
			printf("callee\t");
			put_name(p, e->fn.name);
			putchar('\t');
			put_name(p, e->callees[j].name);
			printf("\t\t\t%lld\n", (long long)e->callees[j].weight);
		}
	}
}

int cmd_peek(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CMD_TRANSFORM_OPTIONS,
		CMD_STORE_OPTIONS,
		CMD_SECONDS_OPTION,
		CMD_PPROF_SAMPLE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS, .pprof_names = true };
	const char *sample_index = NULL, *format = "text";
	struct cmd_store_src st = { 0 };
	struct cmd_loaded ld = { 0 };
	struct prof *p = NULL;
	struct peek pk = { 0 };
	int64_t total;
	int c, type, rc = 1;

	optind = 1;
	while ((c = cmd_getopt("peek", argc, argv, "i:f:h", opts)) != -1) {
		switch (c) {
		case 'i':
			sample_index = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			peek_help(stdout);
			return 0;
		case '?':
			return 2;
		default:
			switch (cmd_shared_opt(c, optarg, &sample_index, &st, &tr)) {
			case 1: continue;
			case -1: return 2;
			}
			peek_help(stderr);
			return 2;
		}
	}
	if (cmd_check_format("peek", format, (const char *const[]){ "text", "tsv", NULL }))
		return 2;
	if (cmd_check_args("peek", &st, argc - optind, argv + optind,
			   (const char *const[]){ "REGEX", "SOURCE", NULL }, 1))
		return 2;
	if (cmd_check_re2("REGEX", argv[optind]) ||
	    cmd_check_seconds("peek", &st,
			      (const char *const[]){ st.used ? NULL : argv[optind + 1] }, 1))
		return 2;
	rc = cmd_load_any(&st, argv[optind + 1], env, sample_index, &p, &type, &ld);
	if (rc) {
		cmd_loaded_release(&ld);
		prof_free(p);
		return rc;
	}
	/* pprof: percentages of the unfiltered profile */
	total = top_pprof_total(p, (uint32_t)type);
	rc = 1;
	if (cmd_transform(&p, &tr))
		goto done;
	if (peek_compute(p, (uint32_t)type, argv[optind], &pk)) {
		cmd_verb_errorf("peek", "%s", err_last());  /* "smolder peek: bad regex ...", as list */
		goto done;
	}
	pk.total = total;
	if (pk.n == 0) {  /* as pprof: the message alone, no empty table */
		fputs("smolder: no function matches '", stderr);
		cmd_put_safe(stderr, argv[optind], strlen(argv[optind]), true);
		fputs("'\n", stderr);
		goto done;
	}
	if (strcmp(format, "tsv") == 0)
		print_tsv(p, &pk);
	else
		print_text(p, &pk, (uint32_t)type, st.used ? &ld : NULL);
	rc = pk.n ? 0 : 1;
done:
	cmd_loaded_release(&ld);
	peek_release(&pk);
	prof_free(p);
	return rc;
}
