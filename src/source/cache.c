/*
 * cache.c — the disk cache of files fetched over the network, one file per
 * (repository, ref, path) in <cache>/files/<2 hex>/<30 hex>, named by the XXH3-128 of
 * the triple (so no part of a path from a profile ever becomes a file name).
 *
 * Entry: "smolder-source-cache 1 <len repo> <len ref> <len path>\n", the three strings,
 * then the content.  The header is compared on read, so a hash collision is a miss.
 * Content at a full commit id never expires; at a branch or tag it is fresh for c->ttl
 * seconds (ttl < 0: such entries are neither read nor written).  Entries are written to
 * a temporary file and renamed, so readers never see half an entry.  Failures to write
 * are ignored: the cache is an optimisation.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/err.h"
#include "source_int.h"

#define CACHE_MAGIC "smolder-source-cache 1"

int src_mkdirs(const char *dir)
{
	char *p = strdup(dir), *s;
	int rc = 0;

	if (!p)
		return err_set(ERR_NOMEM, "out of memory");
	for (s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char keep = *s;

			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				rc = err_set(ERR_IO, "cannot create '%s': %s", p, strerror(errno));
				break;
			}
			*s = keep;
			if (!keep)
				break;
		}
	}
	free(p);
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void src_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool cacheable(struct src_ctx *c, const char *ref)
{
	return c->cache_dir[0] && (ref_is_commit(ref) || c->ttl >= 0);
}

static char *entry_path(struct src_ctx *c, const char *repo, const char *ref, const char *path,
			char **dir)
{
	XXH3_state_t *st = XXH3_createState();
	XXH128_hash_t h;
	char *p = NULL;

	*dir = NULL;
	if (!st)
		return NULL;
	XXH3_128bits_reset(st);
	XXH3_128bits_update(st, repo, strlen(repo) + 1);
	XXH3_128bits_update(st, ref, strlen(ref) + 1);
	XXH3_128bits_update(st, path, strlen(path) + 1);
	h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	if (asprintf(dir, "%s/files/%02llx", c->cache_dir, (unsigned long long)(h.high64 >> 56)) < 0) {
		*dir = NULL;
		return NULL;
	}
	if (asprintf(&p, "%s/%014llx%016llx", *dir,
		     (unsigned long long)(h.high64 & 0x00ffffffffffffffull),
		     (unsigned long long)h.low64) < 0) {
		free(*dir);
		*dir = NULL;
		return NULL;
	}
	return p;
}

static int header(struct buf *b, const char *repo, const char *ref, const char *path)
{
	if (buf_printf(b, "%s %zu %zu %zu\n", CACHE_MAGIC, strlen(repo), strlen(ref), strlen(path)))
		return -1;
	return buf_puts(b, repo) || buf_puts(b, ref) || buf_puts(b, path) ? -1 : 0;
}

int src_cache_get(struct src_ctx *c, const char *repo, const char *ref, const char *path,
		  struct buf *data)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	struct stat st;
	char *dir, *p;
	int rc = ERR_NOTFOUND;

	ref = ref ? ref : "";
	if (!cacheable(c, ref))
		return ERR_NOTFOUND;
	p = entry_path(c, repo, ref, path, &dir);
	if (!p)
		return ERR_NOTFOUND;
	if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
		goto done;
	if (!ref_is_commit(ref) && time(NULL) - st.st_mtime > c->ttl)
		goto done;
	if (header(&want, repo, ref, path))
		goto done;
	if (buf_read_file(&got, p, SOURCE_MAX_BYTES + want.len + 1))
		goto done;
	if (got.len < want.len || memcmp(got.data, want.data, want.len) != 0)
		goto done;
	buf_reset(data);
	if (buf_add(data, got.data + want.len, got.len - want.len))
		goto done;
	rc = 0;
done:
	buf_release(&want);
	buf_release(&got);
	free(p);
	free(dir);
	err_clear();
	return rc;
}

void src_cache_put(struct src_ctx *c, const char *repo, const char *ref, const char *path,
		   const char *data, size_t len)
{
	struct buf b = BUF_INIT;
	char *dir, *p, *tmp = NULL;
	int fd = -1;
	bool ok = false;

	ref = ref ? ref : "";
	if (!cacheable(c, ref))
		return;
	p = entry_path(c, repo, ref, path, &dir);
	if (!p)
		return;
	if (src_mkdirs(dir) || header(&b, repo, ref, path) || buf_add(&b, data, len) ||
	    asprintf(&tmp, "%s.XXXXXX", p) < 0) {
		tmp = NULL;
		goto done;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		goto done;
	ok = write(fd, b.data, b.len) == (ssize_t)b.len;
	close(fd);
	if (ok && rename(tmp, p) == 0)
		tmp[0] = '\0';
	else if (tmp)
		unlink(tmp);
done:
	free(tmp);
	free(p);
	free(dir);
	buf_release(&b);
	err_clear();
}
