#!/usr/bin/env python3
"""A stand-in for a Slack-compatible incoming webhook on 127.0.0.1, for the aztec-fleet tests.

Every POST is appended to --record as one line: the request path, a tab, then the body.
It answers 200 "ok" as Slack does, or --status with a Slack-like error body.
"""
import argparse
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fake_node import serve  # the stand-ins share one way to run in the background


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        with open(self.server.record, "a", encoding="utf-8") as record:
            record.write(self.path + "\t" + self.headers.get("Content-Type", "") + "\t" + body.decode("utf-8", "replace") + "\n")
        answer = b"ok" if self.server.status == 200 else b"no_service"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--pidfile")
    parser.add_argument("--daemon", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.record = args.record
    server.status = args.status
    serve(server, args.daemon, args.pidfile)


if __name__ == "__main__":
    sys.exit(main())
