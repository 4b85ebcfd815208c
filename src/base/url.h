/*
 * url.h — the one URL redactor: what every message, trace, pane and cache directory
 * name shows of a URL that may carry credentials.
 *
 * A URL is shown as scheme://host[:port]/path: the user information (up to the LAST
 * '@' before the path, so "bob:p@ss@host" loses "bob:p@ss"), the query and the fragment
 * are dropped (a query is where tokens travel: "?token=..." or "?private_token=..."; its
 * values cannot be told from its names, so all of it goes).  A password holding an
 * unencoded '/', '?' or '#' ends the authority early ("http://bob:se/cret@host" reads as
 * host "bob", port "se"): such a URL does not parse (libcurl's parser decides), and all
 * up to its last '@' is taken for user information.  A password of digits then '/'
 * does parse, as a port and a path ("http://bob:2024/S3cret@host"): a ':' in an authority
 * without '@' and an '@' after it before the query are taken for that, and all up to that
 * last '@' goes ("http://host:8080/a@b" is shown as "http://b").  A URL without a scheme
 * ("user:pw@host:4040/p", "git@github.com:o/r.git") loses the same parts; a local path
 * (starting with '/', '.' or '~': "/srv/repo@2", "./a?b") is shown whole.
 *
 * url_take_credentials() takes the user information out of a URL that is to be used (a
 * clone's), so that a library can be given it apart: it reads the URL as libcurl and
 * libgit2 do ("http://host:8080/a@b" has none), except that a URL that does not parse
 * loses all up to its last '@', as above.
 *
 * Ownership: url_redact() returns a string the caller frees (NULL: out of memory);
 * url_redact_buf() and url_redact_text() append to a caller-owned struct buf and return 0
 * or ERR_NOMEM; url_take_credentials()'s three strings belong to the caller, the user
 * name and password to be freed with url_free_secret() (it wipes them).  Nothing is kept
 * between calls.
 */
#ifndef SMOLDER_URL_H
#define SMOLDER_URL_H

#include <stdbool.h>

#include "buf.h"

/* Appends url without user information, query and fragment to out. */
int url_redact_buf(const char *url, struct buf *out);
/* The same as a new string (free()), or NULL when out of memory. */
char *url_redact(const char *url);
/*
 * Appends text (a library's message about url, which may quote it whole or in part) to
 * out with every occurrence of url replaced by its redaction, and, in the text between
 * those occurrences, every occurrence of url's password, of its user information when it
 * holds a password, and of its query by "***" (those of three characters or more: shorter
 * ones would take letters out of every word).  A user name without a password ("git" in
 * git@host) is left alone unless it is long enough to be a token (20 characters or more).
 */
int url_redact_text(const char *text, const char *url, struct buf *out);
/*
 * *rest: url without its user information ("https://host/r") or, keep_user, without its
 * password ("ssh://git@host/r", "git@host:r"); its query and fragment are kept.  *user
 * and *password: percent-decoded ("p%40ss" is "p@ss"; a bad escape is kept as it is), NULL
 * when url has none (a user name without ':' has no password; "bob:@h" has "").  A local
 * path is returned whole.  0, or ERR_NOMEM with all three NULL.
 */
int url_take_credentials(const char *url, bool keep_user, char **rest, char **user,
			 char **password);
/* Wipes and frees a user name or password (NULL: nothing). */
void url_free_secret(char *s);

#endif
