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
#include "source/source.h"

static void list_help(FILE *f)
{
	fputs("usage: smolder list [options] REGEX SOURCE\n"
	      "       smolder list [options] REGEX --db PATH [--query SEL] [--profile-type ID] ...\n"
	      "\n"
	      "For every function whose name matches REGEX: its lines with flat (the line is\n"
	      "where the sample was taken) and cum (the function was on that line), like\n"
	      "`go tool pprof -list`, with the source code when it can be found.\n"
	      "SOURCE is any profile `smolder view` reads.\n"
	      "\n"
	      "  -i, --sample-index NAME  sample type by name or index (default: the profile's)\n"
	      "  -f, --format FMT         text (default) or tsv: function, file, line, flat, cum\n"
	      "                           with exact integers, one row per line with a cost\n"
	      "Where the code comes from (see `smolder resolve --help`):\n"
	      "      --source-path DIR    look for files under DIR (pprof's; default: .)\n"
	      "      --trim-path PREFIX   remove PREFIX from the profile's paths first (pprof's)\n"
	      "      --repo PATH|URL      a git repository (read at --ref without checkout)\n"
	      "      --ref REF            branch, tag or commit (default: HEAD)\n"
	      "      --root PATH          the service's directory inside the repository\n"
	      "      --offline            never clone, fetch or call GitHub\n"
	      "  -h, --help               this help\n"
	      "\n" CMD_STORE_HELP,
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

/* The code of line `no` (1-based) in data, or NULL; *len gets its length. */
static const char *code_line(const struct source_file *f, int64_t no, size_t *len)
{
	const char *p = f->data, *end = f->data + f->len;
	int64_t i;

	for (i = 1; i < no && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		*len = (size_t)((nl ? nl : end) - p);
		if (*len && p[*len - 1] == '\r')
			(*len)--;
	}
	return p;
}

static void print_text(const struct prof *p, const struct list *l, uint32_t type,
		       const struct source_opts *so)
{
	const char *unit = prof_str(p, p->sample_types[type].unit);
	char a[UNITS_MAX], b[UNITS_MAX], pct[UNITS_MAX];
	uint32_t i, k;

	units_format(a, sizeof(a), l->total, unit);
	printf("Total: %s\n", a);
	for (i = 0; i < l->n; i++) {
		const struct list_routine *r = &l->r[i];
		struct source_file f = SOURCE_FILE_INIT;
		int64_t first = r->lines[0].line - LIST_MARGIN, last = r->lines[r->nlines - 1].line + LIST_MARGIN;
		bool code;

		printf("ROUTINE ======================== ");
		put_safe(p, r->name);
		printf(" in ");
		put_safe(p, r->file);
		units_format(a, sizeof(a), r->flat, unit);
		units_format(b, sizeof(b), r->cum, unit);
		units_percent(pct, sizeof(pct), r->cum, l->total);
		printf("\n%10s %10s (flat, cum) %s of Total\n", a, b, pct);
		code = source_find(so, NULL, prof_str(p, r->name), prof_str(p, r->file), &f, NULL) == 0;
		if (!code) {
			struct buf m = BUF_INIT;

			text_safe(&m, err_last(), strlen(err_last()), false);
			printf(" (no code: %.*s)\n", (int)m.len, m.data ? m.data : "");
			buf_release(&m);
		}
		if (first < 1)
			first = 1;
		if (code) {
			/* pprof's window: the lines with a cost, and 5 around them */
			int64_t no;

			for (no = first, k = 0; no <= last; no++) {
				size_t len = 0;
				const char *txt = code_line(&f, no, &len);
				struct buf t = BUF_INIT;

				if (!txt)
					break;
				while (k < r->nlines && r->lines[k].line < no)
					k++;
				if (k < r->nlines && r->lines[k].line == no) {
					units_format(a, sizeof(a), r->lines[k].flat, unit);
					units_format(b, sizeof(b), r->lines[k].cum, unit);
				}
				text_code(&t, txt, len, 4, false);
				printf("%10s %10s %6lld: %.*s\n",
				       k < r->nlines && r->lines[k].line == no && r->lines[k].flat ? a : ".",
				       k < r->nlines && r->lines[k].line == no && r->lines[k].cum ? b : ".",
				       (long long)no, (int)t.len, t.data ? t.data : "");
				buf_release(&t);
			}
		} else {
			/* without the code: only the lines with a cost, and the gaps marked */
			for (k = 0; k < r->nlines; k++) {
				const struct list_line *ln = &r->lines[k];

				if (k > 0 && ln->line > r->lines[k - 1].line + 1)
					printf("%10s %10s %6s\n", "", "", "...");
				units_format(a, sizeof(a), ln->flat, unit);
				units_format(b, sizeof(b), ln->cum, unit);
				printf("%10s %10s %6lld\n", ln->flat ? a : ".", ln->cum ? b : ".",
				       (long long)ln->line);
			}
		}
		source_file_release(&f);
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
		{ "source-path", required_argument, NULL, 'S' },
		{ "source_path", required_argument, NULL, 'S' },
		{ "trim-path", required_argument, NULL, 'P' },
		{ "trim_path", required_argument, NULL, 'P' },
		{ "repo", required_argument, NULL, 'R' },
		{ "ref", required_argument, NULL, 'F' },
		{ "root", required_argument, NULL, 'O' },
		{ "offline", no_argument, NULL, 'N' },
		CMD_TRANSFORM_OPTIONS,
		CMD_STORE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sample_index = NULL, *format = "text";
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS };
	struct cmd_store_src st = { 0 };
	struct cmd_loaded ld = { 0 };
	struct prof *p = NULL;
	struct list l = { 0 };
	struct source_opts so = { 0 };
	int c, type, rc = 1;

	optind = 1;
	while ((c = getopt_long_only(argc, argv, "i:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': sample_index = optarg; break;
		case 'f': format = optarg; break;
		case 'S': so.source_path = optarg; break;
		case 'P': so.trim_path = optarg; break;
		case 'R': so.repo = optarg; break;
		case 'F': so.ref = optarg; break;
		case 'O': so.root = optarg; break;
		case 'N': so.offline = true; break;
		case 'h': list_help(stdout); return 0;
		default:
			if (cmd_store_opt(c, optarg, &st))
				continue;
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
	if (optind != argc - (st.used ? 1 : 2)) {
		list_help(stderr);
		return 2;
	}
	if (cmd_load_any(&st, argv[optind + 1], env, sample_index, &p, &type, &ld) ||
	    cmd_transform(&p, &tr))
		goto done;
	if (list_compute(p, (uint32_t)type, argv[optind], &l)) {
		fprintf(stderr, "smolder list: %s\n", err_last());
		goto done;
	}
	if (l.n == 0) {
		fprintf(stderr, "smolder list: no function matches '%s'\n", argv[optind]);
		goto done;
	}
	so.cancel = env->cancel;
	if (!so.repo && !so.source_path)
		so.source_path = "."; /* pprof's default search path */
	if (strcmp(format, "tsv") == 0)
		print_tsv(p, &l);
	else
		print_text(p, &l, (uint32_t)type, &so);
	rc = 0;
done:
	cmd_loaded_release(&ld);
	list_release(&l);
	prof_free(p);
	return rc;
}
