/*
 * cmd_view.c — `smolder [view] SOURCE`: load a profile and open the explorer.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cmd.h"
#include "ingest/load.h"
#include "tui/tui.h"

static void view_help(FILE *f)
{
	fputs("usage: smolder [view] [options] SOURCE\n"
	      "\n"
	      "Open the interactive explorer (flame graph, top table) on one profile.\n"
	      "SOURCE is a pprof file (gzip, zstd or raw protobuf) or folded stacks, detected\n"
	      "by content; - reads standard input; an http(s):// URL is fetched, e.g.\n"
	      "http://localhost:6060/debug/pprof/profile?seconds=10 (Ctrl-C aborts).\n"
	      "\n"
	      "  -i, --sample-index NAME  start on this sample type (name or index)\n"
	      "      --theme NAME         dark (default), light, mono, or a path to a .yaml theme\n"
	      "      --no-color           no colours (also when NO_COLOR is set)\n"
	      "      --no-mouse           leave the mouse to the terminal\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Inside, press ? for every key.\n",
	      f);
}

int cmd_view(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "theme", required_argument, NULL, 'T' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "no-mouse", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts to = { 0 };
	struct load_opts lo = { env->cancel, true };
	const char *sample_index = NULL, *nc = getenv("NO_COLOR");
	struct prof *p = NULL;
	int c, type;

	to.theme = "dark";
	to.no_color = nc && *nc;
	optind = 1;
	while ((c = getopt_long_only(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			sample_index = optarg;
			break;
		case 'T':
			to.theme = optarg;
			break;
		case 'C':
			to.no_color = true;
			break;
		case 'M':
			to.no_mouse = true;
			break;
		case 'h':
			view_help(stdout);
			return 0;
		default:
			view_help(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		view_help(stderr);
		return 2;
	}
	to.progress = true;
	if (!load_is_url(argv[optind]) && isatty(STDERR_FILENO))
		fprintf(stderr, "\rreading %s...", argv[optind]);
	if (load_profile(argv[optind], &lo, &p)) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "smolder: %s\n", err_last());
		return 1;
	}
	if ((type = cmd_sample_index(p, sample_index)) < 0) {
		prof_free(p);
		return 1;
	}
	to.sample_type = type;
	to.source = strcmp(argv[optind], "-") == 0 ? "<stdin>" : argv[optind];
	if (tui_run(p, &to)) {
		fprintf(stderr, "smolder: %s\n", err_last());
		return 1;
	}
	return 0;
}
