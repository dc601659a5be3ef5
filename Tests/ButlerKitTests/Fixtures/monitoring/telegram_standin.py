#!/usr/bin/env python3
"""A stand-in for the Telegram Bot API on 127.0.0.1, for the monitoring tests.

Every request is appended to --record as one JSON line {"path": ..., "body": ...}; sendMessage
and any other method answer {"ok": true, ...} as Telegram does. Writes its port to --port-file
once listening (port 0 picks a free one).
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0)).decode("utf-8", "replace")
        with LOCK, open(self.server.record, "a", encoding="utf-8") as record:
            record.write(json.dumps({"path": self.path, "body": body}) + "\n")
        method = self.path.rsplit("/", 1)[-1]
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "stand-in", "username": "standin_bot"}
        else:
            try:
                text = json.loads(body).get("text", "")
            except ValueError:
                text = ""
            result = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "group"}, "text": text}
        data = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.record = args.record
    with open(args.port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
