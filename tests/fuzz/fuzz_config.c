/*
 * fuzz_config.c — fuzz target for `.pyroscope.yaml` (src/source/config.c): a file read
 * from whatever repository a profile names, so untrusted YAML.
 *
 * Contract checked: a refusal is a negative ERR_* code with a non-empty one-line message
 * and an empty config; an accepted config has one language and exactly one source per
 * mapping, every field set, and the longest-prefix lookup answers a mapping in range for
 * paths and function names built from its own prefixes (and for ones that match none).
 * Everything is freed again.
 * Seeds: tests/fuzz/corpus/config (real configs' shapes, aliases, merge keys, nesting).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "../../src/source/source_int.h"

static void check_find(const struct src_config *c, const char *path, const char *fn)
{
	int pos = -2, i = src_config_find(c, path, fn, &pos);

	if (i < -1 || i >= (int)c->n)
		fuzz_broken("src_config_find answered a mapping out of range");
	if (pos < -1 || (pos >= 0 && (size_t)pos > strlen(path)))
		fuzz_broken("src_config_find answered a prefix longer than the path");
	if (i == -1 && pos != -1)
		fuzz_broken("a path prefix without a mapping");
}

static void check_mapping(const struct src_config *c, const struct src_mapping *m)
{
	char path[512], fn[512];
	size_t j;

	if (!m->npaths && !m->nfuncs)
		fuzz_broken("a mapping without a path or function prefix");
	if (m->lang == LANG_NONE)
		fuzz_broken("a mapping without a language");
	if (m->local == m->github)
		fuzz_broken("a mapping without exactly one source");
	if (m->local && !m->local_path)
		fuzz_broken("a local source without its path");
	if (m->github && (!m->owner || !m->repo || !m->ref || !m->gh_path))
		fuzz_broken("a github source without its fields");
	for (j = 0; j < m->npaths; j++) {
		if (!m->paths[j])
			fuzz_broken("a NULL path prefix");
		snprintf(path, sizeof(path), "%s/x/y.go", m->paths[j]);
		check_find(c, path, "");
		check_find(c, m->paths[j], "main.main");
	}
	for (j = 0; j < m->nfuncs; j++) {
		if (!m->funcs[j])
			fuzz_broken("a NULL function prefix");
		snprintf(fn, sizeof(fn), "%s.f", m->funcs[j]);
		check_find(c, "", fn);
		check_find(c, "/nowhere.go", m->funcs[j]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src_config c;
	size_t i;
	int rc;

	err_clear();
	rc = src_config_parse((const char *)data, size, &c);
	if (rc) {
		if (rc > 0)
			fuzz_broken("a positive return code");
		if (c.n || c.v)
			fuzz_broken("a refused config kept mappings");
		fuzz_check_message(err_last());
		return 0;
	}
	for (i = 0; i < c.n; i++)
		check_mapping(&c, &c.v[i]);
	check_find(&c, "", "");
	src_config_release(&c);
	return 0;
}
