#!/usr/bin/env python3
"""A stand-in for an Aztec node's JSON-RPC on 127.0.0.1, for the aztec-fleet tests.

Modes (given with --mode, or read from --mode-file on every request so tests can switch):
  synced      node_getL2Tips has proven block 42; node_getArchiveSiblingPath answers a base64 path
  not_synced  the proven block is 0
  error       every call answers a JSON-RPC error
  malformed   every call answers text that is not JSON
  hang        every call waits an hour before answering
  stalled     like synced: the chain does not move
  advancing   the newest block grows by one on every node_getBlockNumber and node_getL2Tips call
  lagging     advancing, but --lag blocks behind (proven block too)
  not_ready   advancing, but node_isReady answers false
  inclusion_stalled  advancing, but every block is empty while --pending (at least 5)
              transactions wait in the pool
  reorg       advancing, but every node_getBlocks call answers other blocks (other archive
              roots) at the same heights, as a chain reorged between two samples

In every mode but error, malformed and hang: node_getBlockNumber and
node_getProvenBlockNumber answer the tips' latest and proven numbers, node_isReady
answers true (false in not_ready); the newest block is the proven one plus
--proven-lag (5 by default).

node_getBlocks(from, limit) and node_getBlock(number) answer blocks up to the newest one
(without moving the chain) in the node's JSON shape: header.globalVariables.blockNumber and
timestamp (36 s apart), archive.root as the block's identity, body.txEffects holding
--txs-per-block entries (3 by default; none in inclusion_stalled). node_getPendingTxCount
answers --pending (0 by default).

node_getValidatorsStats answers the JSON in --validators-stats-file, read on every call
(so tests can change it); without the file it answers "method not found" as a node
without the sentinel does.
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROVEN = 42
GENESIS_TIME = 1_767_600_000


def sibling_path(block):
    return base64.b64encode(("sibling-path-at-%s" % block).encode()).decode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        mode = self.server.current_mode()
        if self.server.request_log:
            with open(self.server.request_log, "a", encoding="utf-8") as log:
                log.write(self.server.request_log_tag + body.decode("utf-8", "replace") + "\n")
        if mode == "hang":
            time.sleep(3600)
        if mode == "malformed":
            return self.answer(b"<html>502 Bad Gateway</html>", "text/html")
        try:
            request = json.loads(body)
        except ValueError:
            return self.answer(json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}).encode())
        ident = request.get("id")
        method = request.get("method")
        params = request.get("params") or []
        if mode == "error":
            reply = {"jsonrpc": "2.0", "id": ident, "error": {"code": -32603, "message": "world state is not ready"}}
        elif method == "node_getL2Tips":
            latest, proven = self.server.tips(mode, moves=True)
            tip = lambda n: {"number": n, "hash": "0x%064x" % n}
            reply = {"jsonrpc": "2.0", "id": ident, "result": {"latest": tip(latest), "proven": tip(proven), "finalized": tip(proven)}}
        elif method == "node_getBlockNumber":
            reply = {"jsonrpc": "2.0", "id": ident, "result": self.server.tips(mode, moves=True)[0]}
        elif method == "node_getProvenBlockNumber":
            reply = {"jsonrpc": "2.0", "id": ident, "result": self.server.tips(mode, moves=False)[1]}
        elif method == "node_isReady":
            reply = {"jsonrpc": "2.0", "id": ident, "result": mode != "not_ready"}
        elif method == "node_getBlocks":
            latest = self.server.tips(mode, moves=False)[0]
            generation = self.server.next_generation(mode)
            start, limit = int(params[0]), int(params[1])
            blocks = [self.server.block(mode, n, generation) for n in range(max(1, start), min(latest, start + limit - 1) + 1)]
            reply = {"jsonrpc": "2.0", "id": ident, "result": blocks}
        elif method == "node_getBlock":
            latest = self.server.tips(mode, moves=False)[0]
            number = int(params[0])
            result = self.server.block(mode, number, self.server.next_generation(mode)) if 1 <= number <= latest else None
            reply = {"jsonrpc": "2.0", "id": ident, "result": result}
        elif method == "node_getPendingTxCount":
            pending = max(self.server.pending, 5) if mode == "inclusion_stalled" else self.server.pending
            reply = {"jsonrpc": "2.0", "id": ident, "result": pending}
        elif method == "node_getNodeInfo":
            info = {"nodeVersion": "2.1.2-fake", "l1ChainId": self.server.chain_id, "rollupVersion": 1,
                    "l1ContractAddresses": {"rollupAddress": self.server.rollup, "registryAddress": "0x" + "00" * 20}}
            reply = {"jsonrpc": "2.0", "id": ident, "result": info}
        elif method == "node_getValidatorsStats" and self.server.validators_stats_file and os.path.exists(self.server.validators_stats_file):
            with open(self.server.validators_stats_file, encoding="utf-8") as f:
                reply = {"jsonrpc": "2.0", "id": ident, "result": json.load(f)}
        elif method == "node_getArchiveSiblingPath":
            if len(params) != 2 or params[0] != params[1] or not isinstance(params[0], str):
                reply = {"jsonrpc": "2.0", "id": ident, "error": {"code": -32602, "message": "bad params %r" % (params,)}}
            else:
                reply = {"jsonrpc": "2.0", "id": ident, "result": sibling_path(params[0])}
        else:
            reply = {"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "method not found"}}
        self.answer(json.dumps(reply).encode())

    def answer(self, data, content_type="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, mode, mode_file, request_log):
        super().__init__(address, Handler)
        self.mode = mode
        self.mode_file = mode_file
        self.request_log = request_log
        self.request_log_tag = ""
        self.lock = threading.Lock()
        self.moves = 0
        self.lag = 40
        self.proven_lag = 5
        self.generation = 0
        self.txs_per_block = 3
        self.pending = 0

    def tips(self, mode, moves):
        """(latest, proven) in `mode`; a call that `moves` advances a moving chain first."""
        if mode == "not_synced":
            return 5, 0
        latest, proven = PROVEN + self.proven_lag, PROVEN
        if mode in ("advancing", "lagging", "not_ready", "inclusion_stalled", "reorg"):
            with self.lock:
                if moves:
                    self.moves += 1
                latest += self.moves
        if mode == "lagging":
            latest, proven = latest - self.lag, max(0, proven - self.lag)
        return latest, proven

    def next_generation(self, mode):
        """The chain's version: in reorg mode every call sees another one."""
        if mode != "reorg":
            return 0
        with self.lock:
            self.generation += 1
            return self.generation

    def block(self, mode, number, generation):
        txs = 0 if mode == "inclusion_stalled" else self.txs_per_block
        return {
            "archive": {"root": "0x%032x%032x" % (generation, number), "nextAvailableLeafIndex": number + 1},
            "header": {"globalVariables": {"blockNumber": number, "slotNumber": "0x%x" % (number + 100),
                                           "timestamp": "0x%x" % (GENESIS_TIME + 36 * number)},
                       "totalManaUsed": "0x%x" % (txs * 1000)},
            "body": {"txEffects": [{"txHash": "0x%064x" % (number * 1000 + i)} for i in range(txs)]},
        }

    def current_mode(self):
        if self.mode_file and os.path.exists(self.mode_file):
            with open(self.mode_file, encoding="utf-8") as f:
                text = f.read().strip()
            if text:
                return text
        return self.mode


def serve(server, daemon, pidfile):
    """Serves forever, in the background when `daemon` (detached, standard streams on
    /dev/null), writing the serving process's pid to `pidfile` when given. The other
    stand-ins of this folder (fake_webhook.py) use it too."""
    if daemon:
        if os.fork() > 0:
            os._exit(0)
        os.setsid()
        if os.fork() > 0:
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        # Close every inherited descriptor (pipes of whoever started us) but the listener,
        # so the starter sees end-of-file and does not wait for the server.
        os.closerange(3, server.fileno())
        os.closerange(server.fileno() + 1, 65536)
    if pidfile:
        with open(pidfile, "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
    server.serve_forever()


def main():
    global PROVEN
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="synced", choices=["synced", "not_synced", "error", "malformed", "hang", "stalled", "advancing", "lagging", "not_ready",
                                                      "inclusion_stalled", "reorg"])
    parser.add_argument("--mode-file")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--proven", type=int, default=PROVEN, help="proven block number of a synced node")
    parser.add_argument("--rollup", default="0x" + "00" * 20, help="rollupAddress answered by node_getNodeInfo")
    parser.add_argument("--chain-id", type=int, default=31337, help="l1ChainId answered by node_getNodeInfo")
    parser.add_argument("--lag", type=int, default=40, help="blocks a lagging node trails an advancing one")
    parser.add_argument("--proven-lag", type=int, default=5, help="blocks between the proven and the newest block")
    parser.add_argument("--txs-per-block", type=int, default=3, help="transactions in every block (none in inclusion_stalled)")
    parser.add_argument("--pending", type=int, default=0, help="transactions node_getPendingTxCount answers")
    parser.add_argument("--request-log", help="file each request body is appended to, one per line")
    parser.add_argument("--request-log-tag", default="", help="text put before each line of the request log (several nodes sharing one log)")
    parser.add_argument("--validators-stats-file", help="JSON answered by node_getValidatorsStats")
    parser.add_argument("--pidfile")
    parser.add_argument("--daemon", action="store_true", help="detach once listening")
    args = parser.parse_args()
    PROVEN = args.proven
    server = Server(("127.0.0.1", args.port), args.mode, args.mode_file, args.request_log)
    server.rollup = args.rollup
    server.request_log_tag = args.request_log_tag + " " if args.request_log_tag else ""
    server.chain_id = args.chain_id
    server.validators_stats_file = args.validators_stats_file
    server.lag = args.lag
    server.proven_lag = args.proven_lag
    server.txs_per_block = args.txs_per_block
    server.pending = args.pending
    serve(server, args.daemon, args.pidfile)


if __name__ == "__main__":
    sys.exit(main())
