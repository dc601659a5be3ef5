# pragma version ^0.4.0
# Multicall3's aggregate3((address,bool,bytes)[]) (selector 0x82ad56cb) for tests.
# Bounds: 600 calls per aggregate, 512 bytes of call data and of return data per call.

struct Call3:
    target: address
    allowFailure: bool
    callData: Bytes[512]

struct Result:
    success: bool
    returnData: Bytes[512]

@external
def aggregate3(calls: DynArray[Call3, 600]) -> DynArray[Result, 600]:
    results: DynArray[Result, 600] = []
    for call: Call3 in calls:
        success: bool = False
        returned: Bytes[512] = b""
        success, returned = raw_call(call.target, call.callData, max_outsize=512, revert_on_failure=False)
        assert success or call.allowFailure, "Multicall3: call failed"
        results.append(Result(success=success, returnData=returned))
    return results
