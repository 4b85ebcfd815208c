/*
 * serve_auth.c — who may push to (and read from) `smolder serve`, and as which tenant.
 *
 * The --auth-file holds one credential per line, fields separated by blanks; blank lines
 * and lines starting with '#' are ignored:
 *
 *     basic   USER   SECRET  TENANTS      HTTP Basic: Authorization: Basic base64(USER:PASSWORD)
 *     bearer  LABEL  SECRET  TENANTS      Authorization: Bearer TOKEN (LABEL names it in logs)
 *
 * SECRET is a crypt(3) hash of the password or token — "$6$..." (SHA-512) from
 * `openssl passwd -6` or `mkpasswd -m sha-512`, or any scheme libcrypt verifies ($5$,
 * $y$, $2b$) — or `plain:THE-SECRET`, accepted with a warning at start-up.  TENANTS is a
 * comma-separated list of the tenant IDs the credential may write and read; the first
 * is used when a request sends no X-Scope-OrgID; `*` allows any tenant.
 *
 * Verifying a hash costs milliseconds by design, so a verified (credential, secret
 * offered) pair is remembered until it has gone unused for 5 minutes, as a 128-bit hash
 * keyed with random bytes drawn at start (never the secret itself).  Failures are not
 * remembered.  A Basic user name that no credential has is checked against the first
 * hashed Basic credential's hash all the same, so that its answer takes as long as a
 * wrong password's and does not tell which names exist (when the hashes share a cost); so
 * is a wrong password of a plain secret, which would otherwise be refused at once.  A resolve
 * without SERVE_AUTH_MAY_HASH (on an HTTP thread) answers from that memory and the plain
 * secrets only, and says SERVE_AUTH_SLOW when only a hash could tell: the caller then
 * resolves again on a thread of its own (serve.c), so that a client sending wrong
 * passwords keeps no HTTP thread busy.
 *
 * Where the server listens decides what it demands: off loopback, authentication (or
 * --no-auth said out loud), and with credentials, TLS (serve_listen_policy).
 *
 * Tenant IDs follow Grafana's rules (dskit): up to 150 characters of [A-Za-z0-9] and
 * ! - _ . * ' ( ), not "." or "..".
 */
#include <crypt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "serve_int.h"

#define CACHE_NS ((int64_t)300 * 1000000000)

static void cred_release(struct serve_cred *c)
{
	size_t i;

	free(c->name);
	if (c->secret) {
		explicit_bzero(c->secret, strlen(c->secret));
		free(c->secret);
	}
	for (i = 0; i < c->ntenants; i++)
		free(c->tenants[i]);
	free(c->tenants);
}

void serve_auth_release(struct serve_auth *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		cred_release(&a->v[i]);
	free(a->v);
	pthread_mutex_destroy(&a->mu);
	explicit_bzero(a->key, sizeof(a->key));
	memset(a, 0, sizeof(*a));
}

/*
 * The errors of a line name its fields and never quote them: on a line whose fields are
 * out of order (`plain:hunter2 basic alice t1`), any of them may be the secret, and the
 * message goes to a terminal and to logs.
 */
static int parse_tenants(struct serve_cred *c, char *list, const char *path, int line)
{
	char *tok, *save = NULL;
	int nth = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **v;

		nth++;
		if (strcmp(tok, "*") == 0) {
			c->any_tenant = true;
			continue;
		}
		if (!store_tenant_valid(tok))
			return err_set(ERR_PARSE, "%s:%d: field 4 (TENANTS): tenant ID %d is invalid "
					"(up to %d of A-Z a-z 0-9 ! - _ . * ' ( ))", path, line, nth,
					SERVE_TENANT_MAX);
		v = realloc(c->tenants, (c->ntenants + 1) * sizeof(*v));
		if (!v)
			return err_set(ERR_NOMEM, "out of memory");
		c->tenants = v;
		if (!(c->tenants[c->ntenants] = strdup(tok)))
			return err_set(ERR_NOMEM, "out of memory");
		c->ntenants++;
	}
	if (!c->any_tenant && c->ntenants == 0)
		return err_set(ERR_PARSE, "%s:%d: no tenants", path, line);
	return 0;
}

static int parse_line(struct serve_auth *a, char *s, const char *path, int line)
{
	char *f[5], *save = NULL;
	struct serve_cred c, *v;
	size_t nf = 0, i;
	int rc;

	for (char *tok = strtok_r(s, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (nf == 5)
			break;
		f[nf++] = tok;
	}
	if (nf == 0 || f[0][0] == '#')
		return 0;
	if (nf != 4)
		return err_set(ERR_PARSE, "%s:%d: want 4 fields (basic|bearer NAME SECRET TENANTS), "
				"found %zu", path, line, nf);
	memset(&c, 0, sizeof(c));
	if (strcmp(f[0], "basic") == 0)
		c.kind = SERVE_CRED_BASIC;
	else if (strcmp(f[0], "bearer") == 0)
		c.kind = SERVE_CRED_BEARER;
	else
		return err_set(ERR_PARSE, "%s:%d: field 1 is not basic or bearer (basic|bearer NAME "
			       "SECRET TENANTS)", path, line);
	if (c.kind == SERVE_CRED_BASIC && strchr(f[1], ':'))
		return err_set(ERR_PARSE, "%s:%d: field 2 (NAME): a user name cannot contain ':'",
			       path, line);
	if (strncmp(f[2], "plain:", 6) == 0) {
		c.plain = true;
		if (!f[2][6])
			return err_set(ERR_PARSE, "%s:%d: empty plain secret", path, line);
	} else if (f[2][0] != '$') {
		return err_set(ERR_PARSE, "%s:%d: field 3 (SECRET) must be a crypt(3) hash such "
				"as $6$... (openssl passwd -6) or plain:SECRET", path, line);
	}
	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == c.kind && strcmp(a->v[i].name, f[1]) == 0)
			return err_set(ERR_PARSE, "%s:%d: field 2 (NAME): a %s credential of that "
				       "name is listed earlier", path, line, f[0]);
	c.name = strdup(f[1]);
	c.secret = strdup(c.plain ? f[2] + 6 : f[2]);
	explicit_bzero(f[2], strlen(f[2]));
	if (!c.name || !c.secret) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = parse_tenants(&c, f[3], path, line)))
		goto fail;
	v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto fail;
	}
	a->v = v;
	a->v[a->n++] = c;
	a->has_plain |= c.plain;
	return 0;
fail:
	cred_release(&c);
	return rc;
}

int serve_auth_load(const char *path, struct serve_auth *out)
{
	struct buf b = BUF_INIT;
	char *line, *save = NULL;
	int rc, n = 0;

	memset(out, 0, sizeof(*out));
	if (pthread_mutex_init(&out->mu, NULL))
		return err_set(ERR_NOMEM, "cannot create a mutex");
	if (getrandom(out->key, sizeof(out->key), 0) != (ssize_t)sizeof(out->key) ||
	    getrandom(&out->seed, sizeof(out->seed), 0) != (ssize_t)sizeof(out->seed)) {
		rc = err_set(ERR_IO, "cannot draw random bytes for the credential cache");
		goto done;
	}
	if ((rc = buf_read_file(&b, path, (size_t)1 << 20)))
		goto done;
	if (memchr(b.data, '\0', b.len)) {
		rc = err_set(ERR_PARSE, "%s: not a text file", path);
		goto done;
	}
	/* strtok_r on lines, keeping line numbers: split by hand */
	for (line = b.data; line && *line; line = save) {
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		n++;
		if ((rc = parse_line(out, line, path, n)))
			goto done;
	}
	if (out->n == 0)
		rc = err_set(ERR_PARSE, "%s: no credentials (lines: basic|bearer NAME SECRET TENANTS)",
			     path);
done:
	if (b.data)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	if (rc)
		serve_auth_release(out);
	return rc;
}

bool serve_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *b = in6->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return memcmp(b, mapped, 12) == 0 && b[12] == 127;
	}
	return false;
}

/* ---- where to listen, and who may then connect ---- */

int serve_listen_parse(const char *listen, struct sockaddr_storage *out, socklen_t *len)
{
	char host[256], *port;
	struct addrinfo hints, *res = NULL;
	const char *colon;
	int rc;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host))
			return err_set(ERR_USAGE, "--listen wants HOST:PORT or [IPv6]:PORT, not '%s'",
				       listen);
		snprintf(host, sizeof(host), "%.*s", (int)(close - listen - 1), listen + 1);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof(host))
			return err_set(ERR_USAGE, "--listen wants HOST:PORT, not '%s'", listen);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	}
	port = (char *)colon + 1;
	if (!*port || strspn(port, "0123456789") != strlen(port) || atol(port) > 65535)
		return err_set(ERR_USAGE, "--listen: invalid port in '%s'", listen);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0)
		return err_set(ERR_USAGE, "--listen: cannot resolve '%s': %s", host, gai_strerror(rc));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int serve_listen_policy(const struct serve_opts *o, bool loopback)
{
	if (o->auth_file && o->no_auth)
		return err_set(ERR_USAGE, "--auth-file and --no-auth contradict each other");
	if ((o->tls_cert != NULL) != (o->tls_key != NULL))
		return err_set(ERR_USAGE, "HTTPS needs both --tls-cert and --tls-key");
	if (loopback)
		return 0;
	if (!o->auth_file && !o->no_auth)
		return err_set(ERR_USAGE,
			       "refusing to listen on %s without authentication: anyone who can "
			       "reach it could push profiles and read them; pass --auth-file FILE "
			       "(credentials bound to tenants), or --no-auth to accept that",
			       o->listen);
	if (o->auth_file && !o->tls_cert)
		return err_set(ERR_USAGE,
			       "refusing to take credentials in clear text on %s: passwords and "
			       "tokens would cross the network unencrypted; pass --tls-cert and "
			       "--tls-key (HTTPS), or listen on loopback behind a TLS proxy",
			       o->listen);
	return 0;
}

/* ---- checking a request ---- */

static bool ct_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	unsigned char d = na != nb;

	for (i = 0; i < na; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (nb ? nb : 1)];
	return d == 0;
}

static bool verify(const struct serve_cred *c, const char *offered)
{
	struct crypt_data *cd;
	const char *h;
	bool ok;

	if (c->plain)
		return ct_equal(c->secret, offered);
	if (!(cd = calloc(1, sizeof(*cd))))
		return false;
	h = crypt_r(offered, c->secret, cd);
	ok = h && h[0] != '*' && ct_equal(h, c->secret);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static XXH128_hash_t cache_key(const struct serve_auth *a, enum serve_cred_kind kind,
			       const char *name, const char *offered)
{
	XXH3_state_t st;

	XXH3_128bits_reset_withSeed(&st, a->seed);
	XXH3_128bits_update(&st, a->key, sizeof(a->key));
	XXH3_128bits_update(&st, &kind, sizeof(kind));
	XXH3_128bits_update(&st, name, strlen(name) + 1);
	XXH3_128bits_update(&st, offered, strlen(offered));
	return XXH3_128bits_digest(&st);
}

/* The first hashed Basic credential: what an unknown user name is checked against. */
static const struct serve_cred *decoy(const struct serve_auth *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == SERVE_CRED_BASIC && !a->v[i].plain)
			return &a->v[i];
	return NULL;
}

/* check(): no credential matches; only a hash check could tell (without may_hash) */
enum { CHECK_NONE = -1, CHECK_SLOW = -2 };

/* The credential (index) matching, CHECK_NONE or CHECK_SLOW. */
static long check(struct serve_auth *a, enum serve_cred_kind kind, const char *name,
		  const char *offered, bool may_hash)
{
	XXH128_hash_t k = cache_key(a, kind, name ? name : "", offered);
	int64_t now = time_now_ns();
	const struct serve_cred *dc;
	long found = CHECK_NONE;
	bool hashed = false;  /* a hash of that name's credential was checked */
	size_t i;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < SERVE_AUTH_CACHE; i++)
		if (a->cache[i].until_ns > now && a->cache[i].lo == k.low64 &&
		    a->cache[i].hi == k.high64) {
			found = (long)a->cache[i].cred;
			a->cache[i].until_ns = now + CACHE_NS;  /* in use: kept */
			break;
		}
	pthread_mutex_unlock(&a->mu);
	if (found >= 0)
		return found;
	for (i = 0; i < a->n && found < 0; i++) {
		const struct serve_cred *c = &a->v[i];

		if (c->kind != kind || (kind == SERVE_CRED_BASIC && strcmp(c->name, name) != 0))
			continue;
		if (!c->plain && !may_hash)
			found = CHECK_SLOW;  /* the loop goes on: a plain one may match */
		else if (verify(c, offered))
			found = (long)i;
		else
			hashed |= !c->plain;
	}
	if (found == CHECK_NONE && kind == SERVE_CRED_BASIC && !hashed && (dc = decoy(a))) {
		/*
		 * An unknown name, or a wrong password of a plain secret, costs what a wrong
		 * password of a hashed one does (see the top): answered at once, it would tell
		 * the names of plain secrets apart from unknown ones.
		 */
		if (!may_hash)
			return CHECK_SLOW;
		verify(dc, offered);
	}
	if (found >= 0) {
		pthread_mutex_lock(&a->mu);
		i = a->cache_next++ % SERVE_AUTH_CACHE;
		a->cache[i].lo = k.low64;
		a->cache[i].hi = k.high64;
		a->cache[i].cred = (size_t)found;
		a->cache[i].until_ns = now + CACHE_NS;
		pthread_mutex_unlock(&a->mu);
	}
	return found;
}

/* Base64 (padding optional) into out (NUL-terminated); -1 when malformed or too long. */
static int b64decode(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s), len;

	if (base64_max_decoded(n) >= cap || base64_decode(s, n, false, (uint8_t *)out, &len))
		return -1;
	out[len] = '\0';
	return memchr(out, '\0', len) ? -1 : 0;
}

static int refuse(struct serve_who *who, int status, const char *msg)
{
	who->status = status;
	snprintf(who->reason, sizeof(who->reason), "%s", msg);
	return -1;
}

int serve_auth_resolve(struct serve_auth *a, const char *authorization, const char *orgid,
		       unsigned flags, struct serve_who *who)
{
	const struct serve_cred *c;
	char decoded[1024];
	bool may_hash = flags & SERVE_AUTH_MAY_HASH;
	long idx = CHECK_NONE;
	size_t i;

	memset(who, 0, sizeof(*who));
	if (orgid && !store_tenant_valid(orgid))
		return refuse(who, 400, "invalid X-Scope-OrgID: " STORE_TENANT_RULE);
	if (!a) {
		snprintf(who->tenant, sizeof(who->tenant), "%s", orgid ? orgid : STORE_DEFAULT_TENANT);
		return 0;
	}
	if (!authorization || !*authorization)
		return refuse(who, 401, "authentication required (Basic or Bearer)");
	while (*authorization == ' ')
		authorization++;
	if (strncasecmp(authorization, "Basic ", 6) == 0) {
		char *colon;

		if (b64decode(authorization + 6, decoded, sizeof(decoded)) ||
		    !(colon = strchr(decoded, ':')))
			return refuse(who, 401, "malformed Basic credentials");
		*colon = '\0';
		idx = check(a, SERVE_CRED_BASIC, decoded, colon + 1, may_hash);
		explicit_bzero(decoded, sizeof(decoded));
	} else if (strncasecmp(authorization, "Bearer ", 7) == 0) {
		const char *tok = authorization + 7;

		while (*tok == ' ')
			tok++;
		if (*tok)
			idx = check(a, SERVE_CRED_BEARER, NULL, tok, may_hash);
	} else {
		return refuse(who, 401, "unsupported authorization scheme (Basic or Bearer)");
	}
	if (idx == CHECK_SLOW)
		return SERVE_AUTH_SLOW;
	if (idx < 0)
		return refuse(who, 401, "invalid credentials");
	c = &a->v[idx];
	who->user = c->name;
	if (!orgid) {
		snprintf(who->tenant, sizeof(who->tenant), "%s",
			 c->ntenants ? c->tenants[0] : STORE_DEFAULT_TENANT);
		return 0;
	}
	for (i = 0; i < c->ntenants && !c->any_tenant; i++)
		if (strcmp(c->tenants[i], orgid) == 0)
			break;
	if (!c->any_tenant && i == c->ntenants) {
		who->status = 403;
		snprintf(who->reason, sizeof(who->reason), "'%s' may not use tenant '%s'", c->name,
			 orgid);
		return -1;
	}
	snprintf(who->tenant, sizeof(who->tenant), "%s", orgid);
	return 0;
}
