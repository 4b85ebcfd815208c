/*
 * outfile.h — writing a whole file so that a failure leaves nothing half-done: the bytes
 * go to a hidden temporary file next to the target, which takes the target's name only
 * once all of them are on disk.  A full disk, a size limit or an I/O error leaves an
 * existing file as it was and no new file behind.  `smolder export`, `query profile
 * --output pprof=FILE` and the explorer's `e` write through it.
 *
 * The target, as named:
 *   - a regular file, or nothing yet: written as above.  Its permission bits, owner and
 *     group are kept (a new file gets 0666 less the umask).  A symbolic link keeps
 *     pointing where it did: the file it points at is replaced.  A dangling link is
 *     replaced itself (by the new file), not followed.
 *   - an existing regular file is refused ("cannot create 'PATH': Permission denied") when
 *     access(2) says it is not writable, whatever its directory allows, as fopen("wb")
 *     refused it, and when no one has its write bit (root too, whom access(2) lets
 *     write anything).  It is written over where it is (O_TRUNC, as fopen("wb"); a failed
 *     write then leaves it partial) when a new file cannot stand in for it: its
 *     directory takes no new file (EACCES, EPERM, EROFS), it has other names (hard
 *     links: st_nlink > 1), or its owner or group cannot be given to the temporary file.
 *   - without OUTFILE_REPLACE, a name that is taken (by anything, a dangling link too) is
 *     refused with ERR_USAGE ("cannot create 'PATH': File exists") before anything is
 *     written, and one taken meanwhile is not replaced (link(2), or an O_EXCL
 *     reservation where hard links are not supported).
 *   - a FIFO, a device (/dev/null), the file this process's standard output is (-o
 *     /dev/stdout): with OUTFILE_IN_PLACE opened and written as it is (nothing to
 *     rename; standard output is written through its descriptor, at its offset), else
 *     refused ("not a regular file").
 *
 * Errors: ERR_NOSPACE for a full disk, a quota or a file size limit, ERR_IO otherwise,
 * ERR_TOOBIG for a path too long; the message quotes the path.  Nothing here keeps state:
 * the caller owns the bytes, which are only read.
 */
#ifndef SMOLDER_OUTFILE_H
#define SMOLDER_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

enum outfile_flag {
	OUTFILE_REPLACE = 1 << 0,   /* an existing file is replaced */
	OUTFILE_IN_PLACE = 1 << 1,  /* a FIFO, a device, standard output: written as is */
};

/* Writes data[0..len) to path as described above; flags are enum outfile_flag bits. */
int outfile_write(const char *path, const void *data, size_t len, unsigned flags);
/*
 * Writes all of data[0..len) to fd, which stays open (short writes and EINTR are
 * retried).  On failure the message is "cannot write WHAT: reason" (what as given, e.g.
 * "standard output") and errno still says why, so a caller can keep quiet about EPIPE.
 */
int outfile_write_fd(int fd, const void *data, size_t len, const char *what);
/* True when path names the file open on descriptor fd (/dev/stdout, or where it leads). */
bool outfile_is_fd(const char *path, int fd);

#endif
