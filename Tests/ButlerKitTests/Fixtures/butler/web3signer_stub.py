"""A stand-in web3signer for tests: answers POST /reload with 200 and appends each request's
method and path to the file given as the first argument, on the port given second (default: any). Prints its port and
exits when its stdin closes."""
import http.server, os, sys, threading


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_):
        pass

    def do_POST(self):
        with open(sys.argv[1], "a") as log:
            log.write("POST %s\n" % self.path)
        status = 200 if self.path == "/reload" else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
os._exit(0)
