"""A real EVM behind an Ethereum JSON-RPC HTTP server on 127.0.0.1, for ButlerKit's tests.

Starts eth-tester (py-evm), compiles and deploys the Vyper stand-ins of the Aztec Rollup,
StakingRegistry and Multicall3, seeds them (see seed_*), then serves JSON-RPC 2.0 (single and
batch) on a port chosen by the OS. One JSON line on stdout announces the port and addresses.
It exits when its stdin closes, so it never outlives the process that started it.

Paths other than / script failures: /stall/<seconds> answers late, /malformed answers
garbage, /fail/<status>/<count>/<key> answers HTTP <status> <count> times per key, then normally.
GET /stats returns how many JSON-RPC HTTP requests and calls were served and the seconds
spent executing them (in eth-tester / py-evm).
Nodes refuse eth_getLogs ranges over --max-log-range blocks and results over --max-log-results.

With --allow-writes, tests change the chain while a program under test reads it:
test_transact [contract, function, args...] sends a transaction to a stand-in contract,
test_sendEther [address, wei] funds an account, test_sendCalldata [to, data] sends raw calldata
from the deployer (the account of private key 1). Lines on stdin control the RPC service:
"down" closes the listening socket and drops open connections unanswered (an outage),
"up" listens again on the same port with the chain as it was.
"""
import argparse, ast, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_abi import encode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed, BlockNotFound
import vyper

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = threading.Lock()
STATS = {"requests": 0, "calls": 0, "evmSeconds": 0.0}
FAILURES = {}
SERVICE = {"down": False}


def address(prefix, index):
    """Deterministic test address: one prefix byte, the index in the low bytes."""
    return "0x%02x%038x" % (prefix, index)


class Chain:
    def __init__(self):
        self.tester = EthereumTester(PyEVMBackend())
        self.account = self.tester.get_accounts()[0]
        self.contracts = {}
        self.selectors = {}

    def deploy(self, name):
        source = open(os.path.join(HERE, "contracts", name + ".vy")).read()
        out = vyper.compile_code(source, output_formats=["bytecode", "method_identifiers"])
        tx = self.tester.send_transaction({"from": self.account, "data": out["bytecode"], "gas": 10_000_000})
        receipt = self.tester.get_transaction_receipt(tx)
        self.contracts[name] = receipt["contract_address"]
        self.selectors[name] = {sig.split("(")[0]: (sig, sel) for sig, sel in out["method_identifiers"].items()}
        return receipt["contract_address"]

    def transact(self, contract, function, *args):
        signature, selector = self.selectors[contract][function]
        types = split_types(signature[len(function) + 1:-1])
        data = selector + encode(types, list(args)).hex()
        tx = self.tester.send_transaction({"from": self.account, "to": self.contracts[contract], "data": data, "gas": 29_000_000})
        receipt = self.tester.get_transaction_receipt(tx)
        if receipt.get("status", 1) != 1:
            raise RuntimeError("%s.%s failed" % (contract, function))
        return receipt


def split_types(text):
    """Splits a comma-separated type list at depth 0."""
    types, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            types.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    if current:
        types.append(current)
    return types


ETHER = 10 ** 18


def seed_tests(chain):
    rollup, registry = chain.contracts["Rollup"], chain.contracts["StakingRegistry"]
    chain.transact("Rollup", "setParameters", 4, 2, 12, True, 32, 36, 11, 3)
    # One attester per status, every field distinct so misplaced words show.
    for status in range(4):
        attester = address(0xA7, status + 1)
        view = (status, (status + 1) * 1000 * ETHER,
                (status + 10, (status + 1) * 7 * ETHER, 1_700_000_000 + status, address(0xEE, status + 1), status % 2 == 1, status == 3),
                ((2 ** 255 + status, 2 ** 200 + status), address(0xD0, status + 1)))
        chain.transact("Rollup", "setAttesterView", attester, view)
    # Entry queue: 300 entries, the first 5 already flushed.
    for start in (0, 150):
        indexes = range(start, start + 150)
        chain.transact("Rollup", "enqueue", [address(0xEE, 0x1000 + i) for i in indexes], [address(0xDD, i) for i in indexes])
    chain.transact("Rollup", "dequeue", 5)
    # Providers 1..3; provider 2 has a queue of 250 keys of which 10 were dripped.
    for n in (1, 2, 3):
        chain.transact("StakingRegistry", "registerProvider", address(0xAD, n), 100 * n, address(0x5E, n))
    chain.transact("StakingRegistry", "addAttestersToProvider", 2, [address(0xBB, i) for i in range(1, 251)])
    chain.transact("StakingRegistry", "dripQueue", 2, 10)
    # StakedWithProvider: provider 2 gets 60 events in consecutive blocks, then 20 spread out
    # (10 blocks apart); provider 1 gets 5 interleaved events that the filter must exclude.
    impl = address(0x11, 1)
    for i in range(60):
        chain.transact("StakingRegistry", "stake", 2, rollup, address(0xCC, i), address(0x5C, i), impl)
    for i in range(60, 80):
        chain.tester.mine_blocks(10)
        chain.transact("StakingRegistry", "stake", 2, rollup, address(0xCC, i), address(0x5C, i), impl)
        if i % 4 == 0:
            chain.transact("StakingRegistry", "stake", 1, rollup, address(0xC1, i), address(0x51, i), impl)


def seed_bench(chain, count):
    chain.transact("Rollup", "setParameters", 4, 2, 12, True, 32, 36, 11, count)
    for start in range(0, count, 400):
        indexes = range(start, min(count, start + 400))
        chain.transact("Rollup", "setAttesterStatuses", [address(0xB0, i) for i in indexes],
                       [i % 4 for i in indexes], [i * ETHER for i in indexes])


def big_numbers(value):
    """JSON has no 256-bit integers: decimal strings stand for them in test_transact."""
    if isinstance(value, list):
        return [big_numbers(item) for item in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def quantity(value):
    return hex(value)


def block_param(value):
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    return value


def format_block(block):
    return {"number": quantity(block["number"]), "hash": block["hash"], "parentHash": block["parent_hash"],
            "timestamp": quantity(block["timestamp"]), "gasLimit": quantity(block["gas_limit"]),
            "transactions": [t if isinstance(t, str) else t["hash"] for t in block["transactions"]]}


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def revert_error(failure):
    reason = failure.args[0] if failure.args else b""
    if isinstance(reason, str) and reason[:2] in ("b'", 'b"'):
        reason = ast.literal_eval(reason)  # eth-tester hands custom-error data over as repr(bytes)
    if isinstance(reason, str):
        data = "0x08c379a0" + encode(["string"], [reason]).hex()
        return RPCError(3, "execution reverted: " + reason, data)
    if isinstance(reason, (bytes, bytearray)):
        return RPCError(3, "execution reverted", "0x" + bytes(reason).hex())
    return RPCError(3, "execution reverted", "0x")


def dispatch(chain, args, method, params):
    tester = chain.tester
    if method == "eth_chainId":
        return quantity(tester.backend.chain.chain_id)
    if method == "net_version":
        return str(tester.backend.chain.chain_id)
    if method == "eth_blockNumber":
        return quantity(tester.get_block_by_number("latest")["number"])
    if method == "eth_getBalance":
        return quantity(tester.get_balance(params[0], block_param(params[1] if len(params) > 1 else "latest")))
    if method == "eth_getBlockByNumber":
        try:
            return format_block(tester.get_block_by_number(block_param(params[0])))
        except BlockNotFound:
            return None
    if method == "eth_call":
        call = dict(params[0])
        call.setdefault("from", chain.account)
        call.setdefault("gas", 29_000_000)
        try:
            return tester.call(call, block_param(params[1] if len(params) > 1 else "latest"))
        except TransactionFailed as failure:
            raise revert_error(failure)
    if method == "eth_getLogs":
        return get_logs(chain, args, params[0])
    if args.allow_writes and method == "test_transact":
        receipt = chain.transact(params[0], params[1], *[big_numbers(value) for value in params[2:]])
        return quantity(receipt["block_number"])
    if args.allow_writes and method == "test_sendCalldata":
        # Raw calldata from the deployer (eth-tester's account of private key 1), as a multisig would send it.
        try:
            tx = tester.send_transaction({"from": chain.account, "to": params[0], "data": params[1], "gas": 29_000_000})
        except TransactionFailed as failure:
            raise revert_error(failure)
        receipt = tester.get_transaction_receipt(tx)
        if receipt.get("status", 1) != 1:
            raise RPCError(3, "execution reverted")
        return quantity(receipt["block_number"])
    if args.allow_writes and method == "test_sendEther":
        tx = tester.send_transaction({"from": chain.account, "to": params[0], "value": int(params[1]), "gas": 21_000})
        return tester.get_transaction_receipt(tx)["transaction_hash"]
    raise RPCError(-32601, "the method %s does not exist/is not available" % method)


def get_logs(chain, args, query):
    latest = chain.tester.get_block_by_number("latest")["number"]
    start = block_param(query.get("fromBlock", "latest"))
    end = block_param(query.get("toBlock", "latest"))
    start = latest if start == "latest" else start
    end = latest if end == "latest" else end
    if end - start + 1 > args.max_log_range:
        raise RPCError(-32000, "query exceeds max block range %d" % args.max_log_range)
    topics = query.get("topics") or []
    filter_id = chain.tester.create_log_filter(from_block=start, to_block=end, address=query.get("address"), topics=topics or None)
    try:
        logs = chain.tester.get_all_filter_logs(filter_id)
    finally:
        chain.tester.delete_filter(filter_id)
    if len(logs) > args.max_log_results:
        raise RPCError(-32005, "query returned more than %d results" % args.max_log_results)
    return [{"address": log["address"].lower(), "topics": list(log["topics"]), "data": log["data"],
             "blockNumber": quantity(log["block_number"]), "blockHash": log["block_hash"],
             "transactionHash": log["transaction_hash"], "transactionIndex": quantity(log["transaction_index"]),
             "logIndex": quantity(log["log_index"]), "removed": False} for log in logs]


def answer(chain, args, request):
    if not isinstance(request, dict) or "method" not in request:
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
    STATS["calls"] += 1
    try:
        with LOCK:
            started = time.perf_counter()
            try:
                result = dispatch(chain, args, request["method"], request.get("params") or [])
            finally:
                STATS["evmSeconds"] += time.perf_counter() - started
        return {"jsonrpc": "2.0", "id": request.get("id"), "result": result}
    except RPCError as error:
        body = {"code": error.code, "message": error.message}
        if error.data is not None:
            body["data"] = error.data
        return {"jsonrpc": "2.0", "id": request.get("id"), "error": body}
    except Exception as error:  # a bad parameter from the client: report it like a node does
        return {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32602, "message": "invalid params: %s" % error}}


def make_handler(chain, args):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def reply(self, status, body, extra=None):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.reply(200, json.dumps(STATS).encode())

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if SERVICE["down"]:  # an outage: the connection drops with no answer
                self.close_connection = True
                return
            parts = [p for p in self.path.split("/") if p]
            if parts[:1] == ["stall"]:
                time.sleep(float(parts[1]) if len(parts) > 1 else 30)
            elif parts[:1] == ["malformed"]:
                return self.reply(200, b'{"jsonrpc": "2.0", "id": 1, "resu')
            elif parts[:1] == ["fail"] and len(parts) == 4:
                status, count, key = int(parts[1]), int(parts[2]), parts[3]
                with LOCK:
                    seen = FAILURES.get(key, 0)
                    FAILURES[key] = seen + 1
                if seen < count:
                    return self.reply(status, b'{"message": "Too Many Requests"}' if status == 429 else b"<html>Bad Gateway</html>",
                                      {"Retry-After": "0"} if status == 429 else None)
            STATS["requests"] += 1
            try:
                request = json.loads(body)
            except ValueError:
                return self.reply(200, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}).encode())
            if isinstance(request, list):
                response = [answer(chain, args, item) for item in request]
            else:
                response = answer(chain, args, request)
            self.reply(200, json.dumps(response).encode())

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", choices=["tests", "bench", "none"], default="tests")
    parser.add_argument("--attesters", type=int, default=5000)
    parser.add_argument("--max-log-range", type=int, default=100)
    parser.add_argument("--max-log-results", type=int, default=25)
    parser.add_argument("--allow-writes", action="store_true", help="serve test_transact and test_sendEther")
    args = parser.parse_args()

    chain = Chain()
    for name in ("Rollup", "StakingRegistry", "Multicall3"):
        chain.deploy(name)
    if args.seed == "tests":
        seed_tests(chain)
    elif args.seed == "bench":
        seed_bench(chain, args.attesters)

    # Many test suites connect at once; the default listen backlog of 5 drops connections.
    ThreadingHTTPServer.request_queue_size = 128
    ThreadingHTTPServer.allow_reuse_address = True
    handler = make_handler(chain, args)

    def serve(port):
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    server = serve(0)
    port = server.server_address[1]
    print(json.dumps({"port": port, "rollup": chain.contracts["Rollup"],
                      "stakingRegistry": chain.contracts["StakingRegistry"], "multicall3": chain.contracts["Multicall3"],
                      "blockNumber": chain.tester.get_block_by_number("latest")["number"]}), flush=True)
    # Commands on stdin until whoever started us closes it (or dies).
    for line in sys.stdin:
        command = line.strip()
        if command == "down" and server is not None:
            SERVICE["down"] = True
            server.shutdown()
            server.server_close()
            server = None
        elif command == "up" and server is None:
            SERVICE["down"] = False
            server = serve(port)
    os._exit(0)


if __name__ == "__main__":
    main()
