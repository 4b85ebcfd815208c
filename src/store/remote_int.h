/*
 * remote_int.h — what remote.c (the backend's operations) and remote_http.c (its HTTP)
 * share: the backend's state and the one call that talks to the server.
 *
 * Ownership: a struct rbackend is the remote backend remote_backend_open() returns, freed
 * by its close; it owns its curl handle, header list, URLs and credentials.  remote_rpc()
 * writes the answer into the caller's buf.  Used by one thread at a time.
 */
#ifndef SMOLDER_REMOTE_INT_H
#define SMOLDER_REMOTE_INT_H

#include <curl/curl.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "remote.h"

struct rbackend {
	struct backend base;
	CURL *h;
	struct curl_slist *headers;
	struct buf url;     /* the base URL, no trailing '/' */
	struct buf shown;   /* the same without credentials, for messages */
	enum remote_codec codec;
	char *username, *password, *token, *ca_cert;
	bool insecure;
	long connect_ms, timeout_ms;
	unsigned attempts;
	size_t max_response;
	FILE *progress;       /* remote_opts.progress (borrowed) */
	bool refused_range;   /* the last request was refused as too long a range */
	int64_t max_range_ns; /* the limit that refusal named (0: none could be read) */
};

/* POSTs msg to the querier's method; on success the 200 body is in resp (reset first). */
int remote_rpc(struct rbackend *rb, const char *method, const ProtobufCMessage *msg,
	       struct buf *resp);
/* A decoder's failure (rc, 0 passes through), said with the server and the method. */
int remote_decoded(struct rbackend *rb, const char *method, int rc);
/* Sets the handle's write, header and progress callbacks, which remote_rpc() relies on. */
void remote_http_callbacks(CURL *h);

#endif
