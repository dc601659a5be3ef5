#!/usr/bin/env python3
"""A stand-in for a Slack-compatible incoming webhook on 127.0.0.1, for the aztec-fleet tests.

Every POST is appended to --record as one line: the request path, a tab, then the body.
It answers 200 "ok" as Slack does, or --status with a Slack-like error body.
"""
import argparse
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
    if args.daemon:
        if os.fork() > 0:
            os._exit(0)
        os.setsid()
        if os.fork() > 0:
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, server.fileno())
        os.closerange(server.fileno() + 1, 65536)
    if args.pidfile:
        with open(args.pidfile, "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
