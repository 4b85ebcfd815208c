#!/usr/bin/env python3
"""A stand-in for the GitHub contents API, for tests (GitHub cannot be reached from here).

    github_standin.py ROOT PORTFILE LOG [DROP]

Serves GET /repos/OWNER/REPO/contents/PATH?ref=REF from the files ROOT/OWNER/REPO/REF/PATH
(REF "_default" when the request names none) the way GitHub answers with
`Accept: application/vnd.github.raw`: the raw bytes as text/plain with
`X-GitHub-Media-Type: github.v3; param=raw`, or GitHub's 404 JSON.  Listens on
127.0.0.1 on a free port, written to PORTFILE; appends one line per request to LOG:
"GET <path> ref=<ref> auth=<yes|no> accept=<accept>" (never the token itself).
DROP (default 0): the first DROP requests get no answer, their connection is closed
(logged as "DROPPED <path>"), as a flaky network or a restarting proxy does.
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORTFILE, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
DROP = [int(sys.argv[4]) if len(sys.argv) > 4 else 0]
NOT_FOUND = json.dumps({
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content",
    "status": "404",
}, separators=(",", ":")).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, ctype, body, media=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if media:
            self.send_header("X-GitHub-Media-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-RateLimit-Limit", "60")
        self.send_header("X-RateLimit-Remaining", "59")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if DROP[0] > 0:
            DROP[0] -= 1
            with open(LOG, "a") as log:
                log.write("DROPPED %s\n" % urllib.parse.urlsplit(self.path).path)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        ref = query.get("ref", ["_default"])[0]
        path = urllib.parse.unquote(url.path)
        with open(LOG, "a") as log:
            log.write("GET %s ref=%s auth=%s accept=%s\n" % (
                path, ref, "yes" if self.headers.get("Authorization") else "no",
                self.headers.get("Accept", "")))
        parts = path.split("/", 5)
        if (len(parts) < 6 or parts[1] != "repos" or parts[4] != "contents"
                or ".." in path.split("/") or ".." in ref.split("/")):
            return self.reply(404, "application/json; charset=utf-8", NOT_FOUND)
        owner, repo, rel = parts[2], parts[3], parts[5]
        local = os.path.join(ROOT, owner, repo, ref, rel)
        if not os.path.isfile(local):
            return self.reply(404, "application/json; charset=utf-8", NOT_FOUND)
        with open(local, "rb") as f:
            self.reply(200, "text/plain; charset=utf-8", f.read(), "github.v3; param=raw")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
