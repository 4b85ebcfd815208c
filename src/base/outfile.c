/* outfile.c — whole files written next to their name and renamed into place (see outfile.h). */
#include "outfile.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Writes all of data to fd (left open); 0 or an errno value. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		off += (size_t)w;
	}
	return 0;
}

/* "cannot write WHAT: reason" for errno value e; returns the code, errno left as e. */
static int fail_as(int e, const char *what, const char *quote)
{
	int code = e == ENOSPC || e == EDQUOT || e == EFBIG ? ERR_NOSPACE : ERR_IO;

	err_set(code, "cannot write %s%s%s: %s", quote, what, quote, strerror(e));
	errno = e;
	return code;
}

static int fail(int e, const char *path)
{
	return fail_as(e, path, "'");
}

int outfile_write_fd(int fd, const void *data, size_t len, const char *what)
{
	int e = write_all(fd, data, len);

	return e ? fail_as(e, what, "") : 0;
}

bool outfile_is_fd(const char *path, int fd)
{
	struct stat p, f;

	return fstat(fd, &f) == 0 && stat(path, &p) == 0 && p.st_dev == f.st_dev &&
	       p.st_ino == f.st_ino;
}

/* A FIFO, a device, standard output: opened without creating or truncating, and written. */
static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd, e;

	if (outfile_is_fd(path, STDOUT_FILENO)) {
		if (fflush(stdout) != 0)  /* what stdio holds comes first */
			return fail(errno, path);
		return (e = write_all(STDOUT_FILENO, data, len)) ? fail(e, path) : 0;
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return fail(errno, path);
	e = write_all(fd, data, len);
	if (close(fd) != 0 && !e)
		e = errno;
	return e ? fail(e, path) : 0;
}

/*
 * A new hidden file in dest's directory (rename() stays within one file system), its
 * name in tmp; the descriptor, or -1 with errno set (EEXIST: no free name was found).
 */
static int open_temp(const char *dest, char *tmp, size_t n)
{
	const char *base = strrchr(dest, '/');
	size_t blen;
	int fd = -1, i;

	base = base ? base + 1 : dest;
	blen = strlen(base);
	for (i = 0; i < 100 && fd < 0; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		/* the base name cut so the temporary one stays under NAME_MAX */
		if (snprintf(tmp, n, "%.*s.%.*s.%ld-%ld.tmp", (int)(base - dest), dest,
			     (int)(blen < 200 ? blen : 200), base, (long)getpid(),
			     (long)ts.tv_nsec + i) >= (int)n) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
		if (fd < 0 && errno != EEXIST)  /* a directory missing or not writable */
			return -1;
	}
	return fd;
}

/*
 * An existing regular file written over where it is (O_TRUNC), as fopen("wb") would:
 * for a file the temporary one could not stand in for (see outfile.h).
 */
static int write_over(const char *path, const char *dest, const void *data, size_t len)
{
	int fd, e;

	if ((fd = open(dest, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	e = write_all(fd, data, len);
	if (!e && fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	return e ? fail(e, path) : 0;
}

/*
 * Gives the written tmp the name dest, unless something has it (link(2) never replaces;
 * where a file system has no hard links, an empty file made with O_EXCL holds the name
 * until rename() puts tmp there).  tmp is gone afterwards either way.
 */
static int take_free_name(const char *path, const char *tmp, const char *dest)
{
	int fd, e;

	if (link(tmp, dest) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		goto taken;
	if ((fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666)) < 0) {
		if (errno == EEXIST)
			goto taken;
		e = errno;
		unlink(tmp);
		return fail(e, path);
	}
	close(fd);
	if (rename(tmp, dest) != 0) {
		e = errno;
		unlink(dest);
		unlink(tmp);
		return fail(e, path);
	}
	return 0;
taken:
	unlink(tmp);
	return err_set(ERR_USAGE, "cannot create '%s': %s", path, strerror(EEXIST));
}

int outfile_write(const char *path, const void *data, size_t len, unsigned flags)
{
	char dest[PATH_MAX], tmp[PATH_MAX + 64];
	struct stat st, target;
	bool exists = false;
	int fd, e;

	if (!*path)
		return err_set(ERR_USAGE, "no file name to write");
	if (!(flags & OUTFILE_REPLACE)) {
		if (lstat(path, &st) == 0)
			return err_set(ERR_USAGE, "cannot create '%s': %s", path, strerror(EEXIST));
		if (errno != ENOENT)  /* ENOTDIR, EACCES, ENAMETOOLONG: not "exists" */
			return err_set(ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	}
	/* before links are resolved: /dev/stdout on a pipe leads to no path ("pipe:[N]") */
	if (stat(path, &target) == 0) {
		if (flags & OUTFILE_IN_PLACE &&
		    (!S_ISREG(target.st_mode) || outfile_is_fd(path, STDOUT_FILENO)))
			return write_in_place(path, data, len);
		if (!S_ISREG(target.st_mode))
			return err_set(ERR_IO, "cannot write '%s': not a regular file", path);
		/*
		 * the file's own permission decides, as for fopen("wb"), not its directory's;
		 * one with no write bit for anyone is refused to root too (access() lets root
		 * write anything), so a read-only file is kept whoever runs the export
		 */
		if (access(path, W_OK) != 0)
			return err_set(ERR_IO, "cannot create '%s': %s", path, strerror(errno));
		if (!(target.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
			return err_set(ERR_IO, "cannot create '%s': %s", path, strerror(EACCES));
		exists = true;
	}
	if (exists && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!realpath(path, dest))
			return fail(errno, path);
	} else if (snprintf(dest, sizeof(dest), "%s", path) >= (int)sizeof(dest)) {
		return err_set(ERR_TOOBIG, "cannot write '%s': the path is too long", path);
	}
	/* a new inode would leave the other names with the old bytes */
	if (exists && target.st_nlink > 1)
		return write_over(path, dest, data, len);
	if ((fd = open_temp(dest, tmp, sizeof(tmp))) < 0) {
		e = errno;
		if (exists && (e == EACCES || e == EPERM || e == EROFS))
			return write_over(path, dest, data, len);  /* a writable file, a locked dir */
		if (e == ENAMETOOLONG)
			return err_set(ERR_TOOBIG, "cannot write '%s': the path is too long", path);
		if (e == EEXIST)
			return err_set(ERR_IO, "cannot write '%s': no free temporary name", path);
		return err_set(ERR_IO, "cannot create '%s': %s", path, strerror(e));
	}
	e = 0;
	if (exists) {
		struct stat t;

		/* the owner and group kept; where they cannot be given, the file is written over */
		if (fstat(fd, &t) != 0) {
			e = errno;
		} else if ((t.st_uid != target.st_uid || t.st_gid != target.st_gid) &&
			   fchown(fd, target.st_uid, target.st_gid) != 0) {
			close(fd);
			unlink(tmp);
			return write_over(path, dest, data, len);
		}
		/* after fchown, which may clear set-user-ID bits */
		if (!e && fchmod(fd, target.st_mode & 07777) != 0)
			e = errno;
	}
	if (!e)
		e = write_all(fd, data, len);
	/* on disk before it takes the name: a crash must not leave an empty file there */
	if (!e && fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		unlink(tmp);
		return fail(e, path);
	}
	if (!(flags & OUTFILE_REPLACE))
		return take_free_name(path, tmp, dest);
	if (rename(tmp, dest) != 0) {
		e = errno;
		unlink(tmp);
		return fail(e, path);
	}
	return 0;
}
