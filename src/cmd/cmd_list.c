/*
 * cmd_list.c — `smolder list REGEX SOURCE`: per-line flat and cum of every matching
 * function, the numbers `go tool pprof -list` prints, with the code when it can be
 * found (src/source: local files, git at a ref, GitHub).
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
#include "profile/granularity.h"
#include "profile/list.h"

static void list_help(FILE *f)
{
	fputs("usage: smolder list [options] REGEX SOURCE\n"
	      "\n"
	      "For every function whose name matches REGEX: its lines with flat (the line is\n"
	      "where the sample was taken) and cum (the function was on that line), like\n"
	      "`go tool pprof -list`, with the source code when it can be found.\n"
	      "SOURCE is any profile `smolder view` reads.\n"
	      "\n"
	      "  -i, --sample-index NAME  sample type by name or index (default: the profile's)\n"
	      "  -f, --format FMT         text (default) or tsv: function, file, line, flat, cum\n"
	      "                           with exact integers, one row per line with a cost\n"
	      "  -h, --help               this help\n",
	      f);
}

static void put_safe(const struct prof *p, uint32_t id)
{
	struct buf b = BUF_INIT;

	text_safe(&b, prof_str(p, id), prof_strlen(p, id), false);
	if (b.data)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
}

static void print_text(const struct prof *p, const struct list *l, uint32_t type)
{
	const char *unit = prof_str(p, p->sample_types[type].unit);
	char a[UNITS_MAX], b[UNITS_MAX], pct[UNITS_MAX];
	uint32_t i, k;

	units_format(a, sizeof(a), l->total, unit);
	printf("Total: %s\n", a);
	for (i = 0; i < l->n; i++) {
		const struct list_routine *r = &l->r[i];
		int64_t first = r->lines[0].line - LIST_MARGIN, last = r->lines[r->nlines - 1].line;

		printf("ROUTINE ======================== ");
		put_safe(p, r->name);
		printf(" in ");
		put_safe(p, r->file);
		units_format(a, sizeof(a), r->flat, unit);
		units_format(b, sizeof(b), r->cum, unit);
		units_percent(pct, sizeof(pct), r->cum, l->total);
		printf("\n%10s %10s (flat, cum) %s of Total\n", a, b, pct);
		if (first < 1)
			first = 1;
		/* without the code: only the lines with a cost, and the gaps marked */
		for (k = 0; k < r->nlines; k++) {
			const struct list_line *ln = &r->lines[k];

			if (k > 0 && ln->line > r->lines[k - 1].line + 1)
				printf("%10s %10s %6s\n", "", "", "...");
			units_format(a, sizeof(a), ln->flat, unit);
			units_format(b, sizeof(b), ln->cum, unit);
			printf("%10s %10s %6lld\n", ln->flat ? a : ".", ln->cum ? b : ".", (long long)ln->line);
		}
		(void)last;
	}
}

static void print_tsv(const struct prof *p, const struct list *l)
{
	uint32_t i, k;

	printf("function\tfile\tline\tflat\tcum\n");
	for (i = 0; i < l->n; i++) {
		const struct list_routine *r = &l->r[i];

		for (k = 0; k < r->nlines; k++) {
			put_safe(p, r->name);
			putchar('\t');
			put_safe(p, r->file);
			printf("\t%lld\t%lld\t%lld\n", (long long)r->lines[k].line,
			       (long long)r->lines[k].flat, (long long)r->lines[k].cum);
		}
	}
}

int cmd_list(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		CMD_TRANSFORM_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sample_index = NULL, *format = "text";
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS };
	struct prof *p = NULL;
	struct list l = { 0 };
	int c, type, rc = 1;

	optind = 1;
	while ((c = getopt_long_only(argc, argv, "i:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': sample_index = optarg; break;
		case 'f': format = optarg; break;
		case 'h': list_help(stdout); return 0;
		default:
			switch (cmd_transform_opt(c, optarg, &tr)) {
			case 1: continue;
			case -1: return 2;
			}
			list_help(stderr);
			return 2;
		}
	}
	if (cmd_check_format("list", format, (const char *const[]){ "text", "tsv", NULL }))
		return 2;
	if (optind != argc - 2) {
		list_help(stderr);
		return 2;
	}
	if (cmd_load(argv[optind + 1], env, sample_index, &p, &type) || cmd_transform(&p, &tr))
		goto done;
	if (list_compute(p, (uint32_t)type, argv[optind], &l)) {
		fprintf(stderr, "smolder list: %s\n", err_last());
		goto done;
	}
	if (l.n == 0) {
		fprintf(stderr, "smolder list: no function matches '%s'\n", argv[optind]);
		goto done;
	}
	if (strcmp(format, "tsv") == 0)
		print_tsv(p, &l);
	else
		print_text(p, &l, (uint32_t)type);
	rc = 0;
done:
	list_release(&l);
	prof_free(p);
	return rc;
}
