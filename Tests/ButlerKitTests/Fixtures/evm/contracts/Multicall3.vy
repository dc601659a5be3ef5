# pragma version ^0.4.0
# Multicall3's aggregate3((address,bool,bytes)[]) (selector 0x82ad56cb) for tests.
# Bounds: 600 calls per aggregate, 128 bytes of call data and 384 of return data per call
# (kept small because py-evm spends time copying every byte of Vyper's fixed-size buffers).

struct Call3:
    target: address
    allowFailure: bool
    callData: Bytes[128]

struct Result:
    success: bool
    returnData: Bytes[384]

@external
def aggregate3(calls: DynArray[Call3, 600]) -> DynArray[Result, 600]:
    results: DynArray[Result, 600] = []
    for call: Call3 in calls:
        success: bool = False
        returned: Bytes[384] = b""
        success, returned = raw_call(call.target, call.callData, max_outsize=384, revert_on_failure=False)
        assert success or call.allowFailure, "Multicall3: call failed"
        results.append(Result(success=success, returnData=returned))
    return results
