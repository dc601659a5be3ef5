"""Fake Gonka seed API on 127.0.0.1 for the deploy tests, reading the sandbox host's state folder.

Usage: fake_seed_api.py STATE_DIR PUBKEY=ADDRESS...
- GET /v1/participants/<address>: 200 {"pubkey": ...} when the inferenced shim registered the
  public key mapped to <address> (state/participants holds one registered public key a line);
  else 404.
- GET /chain-rpc/status: the latest height (state/chain-height, default 2000000).
- GET /chain-rpc/block?height=N: a block hash made from N.
- GET /v1/epochs/current/participants: the registered accounts (state/epoch-participants, one
  address a line, when the test set it) as the current epoch's participants.
- GET /chain-api/cosmos/slashing/v1beta1/signing_infos/<valcons>: state/signing-info-<valcons>
  (JSON) when the test set it, else a clean record (no missed block, never jailed).
Every request path is appended to state/seed-requests.log. Prints the port, exits when stdin closes.
"""
import http.server, json, os, sys, threading, urllib.parse

STATE = sys.argv[1]
ACCOUNTS = dict(pair.split("=", 1)[::-1] for pair in sys.argv[2:])  # address -> pubkey


def read(name, default=""):
    try:
        with open(os.path.join(STATE, name)) as f:
            return f.read()
    except OSError:
        return default


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with open(os.path.join(STATE, "seed-requests.log"), "a") as f:
            f.write(self.path + "\n")
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/v1/participants/"):
            address = url.path[len("/v1/participants/"):]
            registered = read("participants").split()
            if address in ACCOUNTS and ACCOUNTS[address] in registered:
                return self.answer(200, {"participant": {"index": address, "pubkey": ACCOUNTS[address]}})
            return self.answer(404, {"code": 5, "message": "participant not found"})
        if url.path == "/v1/epochs/current/participants":
            registered = read("participants").split()
            default = "\n".join(address for address, pubkey in ACCOUNTS.items() if pubkey in registered)
            listed = read("epoch-participants", default).split()
            return self.answer(200, {"active_participants": {"participants": [{"index": a} for a in listed]}})
        if url.path.startswith("/chain-api/cosmos/slashing/v1beta1/signing_infos/"):
            address = url.path.rsplit("/", 1)[1]
            info = read("signing-info-" + address)
            if info:
                return self.answer(200, json.loads(info))
            return self.answer(200, {"val_signing_info": {"address": address, "missed_blocks_counter": "0",
                                                          "jailed_until": "1970-01-01T00:00:00Z", "tombstoned": False}})
        if url.path == "/chain-rpc/status":
            height = read("chain-height", "2000000").strip()
            return self.answer(200, {"result": {"sync_info": {"latest_block_height": height, "catching_up": False}}})
        if url.path == "/chain-rpc/block":
            height = int(urllib.parse.parse_qs(url.query).get("height", ["0"])[0])
            return self.answer(200, {"result": {"block_id": {"hash": "%064X" % (height * 7919)}}})
        self.answer(404, {"error": "unknown path"})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
