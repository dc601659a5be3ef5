"""The node's HTTP services for the deploy tests, started by the docker stand-in inside the
sandbox host's network namespace; answers come from the host's state folder (STATE_DIR):
- 26657 /status: latest_block_height = state/node-height, else 2000100 while the node runs and
  has blocks or state sync set up in its config.toml (one more at each request when
  state/height-advances exists), else 0; catching_up = state/catching-up
  (true/false), else whether the height is 0; validator_info.address = state/validator-address, else a fixed one.
- 8000 /: the dashboard page while the api runs.
- 9200 GET /admin/v1/nodes (the nodes of state/admin-nodes.json when the docker stand-in
  wrote it, else a fixed one), POST /admin/v1/nodes and PUT /admin/v1/nodes/<id> (an upsert
  into that file, each request appended to state/admin-requests.log), /admin/v1/setup/report, 8080 /health, /api/v1/gpu/devices and
  /api/v1/state, 5050 /v1/models: while mlnode runs (current status: state/admin-status or INFERENCE).
With state/timeline naming a file, each /status request and admin change is also written
there after the host's name (h1…), for tests that order what several hosts saw.
A service that is not running answers 503 with no body. Exits when a port is taken (already started).
Usage: fake_node_services.py STATE_DIR
"""
import http.server, json, os, socketserver, sys, threading, tomllib

STATE = sys.argv[1]
VALIDATOR_ADDRESS = "4F2C0E5A7B1D9E3C6A8F0B2D4E6C8A0B1C3D5E7F"


def read(name, default=""):
    try:
        with open(os.path.join(STATE, name)) as f:
            return f.read().strip()
    except OSError:
        return default


def running(service):
    return os.path.exists(os.path.join(STATE, "running." + service))


HOST = os.path.basename(os.path.dirname(os.path.abspath(STATE)))
LOCK = threading.Lock()


def timeline(line):
    path = read("timeline")
    if path:
        with LOCK, open(path, "a") as f:
            f.write(HOST + " " + line + "\n")


def advancing_height(base):
    """base plus the count of /status requests so far, when state/height-advances exists."""
    if not os.path.exists(os.path.join(STATE, "height-advances")):
        return base
    with LOCK:
        count = int(read("status-requests", "0") or "0") + 1
        with open(os.path.join(STATE, "status-requests"), "w") as f:
            f.write(str(count))
    return str(int(base) + count)


def admin_nodes():
    try:
        with open(os.path.join(STATE, "admin-nodes.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def admin_change(method, path, body):
    """Upserts the node of a POST /admin/v1/nodes or PUT /admin/v1/nodes/<id>; the stored node, or None."""
    if not running("mlnode") or not (path == "/admin/v1/nodes" and method == "POST" or path.startswith("/admin/v1/nodes/") and method == "PUT"):
        return None
    node = json.loads(body)
    if method == "PUT" and node.get("id") != path.rsplit("/", 1)[1]:
        return None
    with LOCK:
        with open(os.path.join(STATE, "admin-requests.log"), "a") as f:
            f.write("%s %s %s\n" % (method, path, json.dumps(node, sort_keys=True)))
        nodes = [n for n in (admin_nodes() or []) if n.get("id") != node["id"]] + [node]
        with open(os.path.join(STATE, "admin-nodes.json"), "w") as f:
            json.dump(nodes, f)
    timeline("%s %s" % (method, path))
    return node


def synced():
    """The node runs and holds blocks, or its config.toml enables state sync."""
    inference = os.path.join(read("deploy-dir", "/nonexistent"), ".inference")
    if not running("node"):
        return False
    if os.path.exists(os.path.join(inference, "data", "blockstore.db")):
        return True
    try:
        with open(os.path.join(inference, "config", "config.toml"), "rb") as f:
            return tomllib.load(f).get("statesync", {}).get("enable") is True
    except (OSError, tomllib.TOMLDecodeError):
        return False


def answer_for(port, path):
    if port == 26657 and path.startswith("/status"):
        height = read("node-height", advancing_height("2000100") if synced() else "0")
        timeline("status " + height)
        catching_up = read("catching-up", "true" if height == "0" else "false") == "true"
        return {"result": {"sync_info": {"latest_block_height": height, "catching_up": catching_up},
                           "validator_info": {"address": read("validator-address", VALIDATOR_ADDRESS)}}}
    if port == 8000 and running("api"):
        return "<html><title>Gonka dashboard</title></html>"
    if not running("mlnode"):
        return None
    status = read("admin-status", "INFERENCE")
    if port == 9200 and path == "/admin/v1/nodes":
        nodes = admin_nodes() or [{"id": "node1", "host": "mlnode", "models": {"Qwen/Qwen3-32B-FP8": {}}}]
        return [{"node": node, "state": {"current_status": status, "intended_status": "INFERENCE"}} for node in nodes]
    if port == 9200 and path == "/admin/v1/setup/report":
        return {"overall_status": "PASS", "summary": {"passed": 3, "total": 3}, "issues": [],
                "checks": [{"id": "permissions_granted", "status": "PASS"}, {"id": "block_sync", "status": "PASS"},
                           {"id": "mlnode_node1", "status": "PASS"}]}
    if port == 8080 and path == "/health":
        return {"status": "OK"}
    if port == 8080 and path == "/api/v1/gpu/devices":
        return {"devices": [{"index": 0, "name": "NVIDIA H100 80GB HBM3"}]}
    if port == 8080 and path == "/api/v1/state":
        return {"state": status}
    if port == 5050 and path == "/v1/models":
        return {"object": "list", "data": [{"id": "Qwen/Qwen3-32B-FP8", "max_model_len": 240000}]}
    return None


def handler_for(port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.reply(answer_for(port, self.path))

        def do_POST(self):
            self.change("POST")

        def do_PUT(self):
            self.change("PUT")

        def change(self, method):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
            try:
                self.reply(admin_change(method, self.path, body) if port == 9200 else None)
            except (ValueError, KeyError, AttributeError):
                self.reply(None)

        def reply(self, body):
            if body is None:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


servers = []
try:
    for port in (26657, 8000, 9200, 8080, 5050):
        servers.append(Server(("0.0.0.0", port), handler_for(port)))
except OSError:
    sys.exit(0)
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()
