/*
 * cmd_export.c — `smolder export SOURCE --format pprof|folded -o FILE`: the profile,
 * after pprof's filters and granularity, written back out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "cmd.h"
#include "ingest/encode.h"
#include "profile/granularity.h"

static void export_help(FILE *f)
{
	fputs("usage: smolder export [options] SOURCE -o FILE\n"
	      "\n"
	      "Write SOURCE back out, after the filters below: as a gzipped pprof profile\n"
	      "(every sample type; `go tool pprof` reads it) or as folded stacks.\n"
	      "\n"
	      "  -o, --output FILE        where to write; - is standard output\n"
	      "  -f, --format FMT         pprof (default) or folded\n"
	      "  -i, --sample-index NAME  the sample type folded stacks count (default: the\n"
	      "                           profile's)\n"
	      "  -h, --help               this help\n"
	      "\n" CMD_TRANSFORM_HELP,
	      f);
}

static int write_out(const char *path, const struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	int ok;

	if (!f) {
		fprintf(stderr, "smolder: cannot create '%s': %s\n", path, strerror(errno));
		return 1;
	}
	ok = fwrite(b->data ? b->data : "", 1, b->len, f) == b->len;
	ok &= (f == stdout ? fflush(f) : fclose(f)) == 0;
	if (!ok) {
		fprintf(stderr, "smolder: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_export(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		CMD_TRANSFORM_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_transform tr = { { 0 }, GRAN_FUNCTIONS };
	const char *out = NULL, *format = "pprof", *sample_index = NULL;
	struct prof *p = NULL;
	struct buf b = BUF_INIT;
	int c, type, rc = 1;

	optind = 1;
	while ((c = getopt_long_only(argc, argv, "o:f:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'i':
			sample_index = optarg;
			break;
		case 'h':
			export_help(stdout);
			return 0;
		default:
			switch (cmd_transform_opt(c, optarg, &tr)) {
			case 1:
				continue;
			case -1:
				return 2;
			}
			export_help(stderr);
			return 2;
		}
	}
	if (cmd_check_format("export", format, (const char *const[]){ "pprof", "folded", NULL }))
		return 2;
	if (optind != argc - 1 || !out) {
		export_help(stderr);
		return 2;
	}
	if (cmd_load(argv[optind], env, sample_index, &p, &type) || cmd_transform(&p, &tr))
		goto done;
	if (strcmp(format, "pprof") == 0 ? encode_pprof(p, &b) : encode_folded(p, (uint32_t)type, &b)) {
		fprintf(stderr, "smolder: %s\n", err_last());
		goto done;
	}
	rc = write_out(out, &b);
done:
	buf_release(&b);
	prof_free(p);
	return rc;
}
