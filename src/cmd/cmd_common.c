/* cmd_common.c — what every verb that reads a profile shares (see cmd.h). */
#include <stdio.h>

#include "base/err.h"
#include "cmd.h"
#include "ingest/load.h"

int cmd_sample_index(const struct prof *p, const char *arg)
{
	int i = arg ? prof_find_type(p, arg) : (int)p->default_type;
	uint32_t k;

	if (i < 0) {
		fprintf(stderr, "smolder: unknown sample index '%s'; this profile has:", arg);
		for (k = 0; k < p->ntypes; k++)
			fprintf(stderr, " %s", prof_str(p, p->sample_types[k].type));
		fputc('\n', stderr);
	}
	return i;
}

int cmd_load(const char *src, const struct cmd_env *env, const char *sample_index,
	     struct prof **out, int *type)
{
	struct load_opts lo = { env->cancel, true };

	*out = NULL;
	if (load_profile(src, &lo, out)) {
		fprintf(stderr, "smolder: %s\n", err_last());
		return 1;
	}
	if ((*type = cmd_sample_index(*out, sample_index)) < 0) {
		prof_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}
