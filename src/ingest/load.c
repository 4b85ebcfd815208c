/* load.c — profile sources: files, standard input, URLs (see load.h). */
#include "load.h"

#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "decode.h"

bool load_is_url(const char *src)
{
	return strncasecmp(src, "http://", 7) == 0 || strncasecmp(src, "https://", 8) == 0;
}

int load_profile(const char *src, const struct load_opts *o, struct prof **out)
{
	struct buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if (load_is_url(src))
		rc = fetch_url(src, o, DECODE_MAX_INPUT, &b);
	else
		rc = buf_read_file(&b, src, DECODE_MAX_INPUT);
	if (rc == 0)
		rc = decode_profile((const uint8_t *)b.data, b.len,
				    strcmp(src, "-") == 0 ? "<stdin>" : src, out);
	buf_release(&b);
	return rc;
}
