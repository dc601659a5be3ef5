# pragma version ^0.4.0
# Test stand-in for the Aztec Rollup: same function signatures, return shapes and events
# (IStaking / IValidatorSelection), with state set directly by test-only setters.

struct Exit:
    withdrawalId: uint256
    amount: uint256
    exitableAt: uint256
    recipientOrWithdrawer: address
    isRecipient: bool
    exists: bool

struct G1Point:
    x: uint256
    y: uint256

struct G2Point:
    x0: uint256
    x1: uint256
    y0: uint256
    y1: uint256

struct AttesterConfig:
    publicKey: G1Point
    withdrawer: address

struct AttesterView:
    status: uint8
    effectiveBalance: uint256
    exit: Exit
    config: AttesterConfig

struct DepositArgs:
    attester: address
    withdrawer: address
    publicKeyInG1: G1Point
    publicKeyInG2: G2Point
    proofOfPossession: G1Point
    moveWithLatestRollup: bool

event ValidatorQueued:
    attester: indexed(address)
    withdrawer: indexed(address)

views: HashMap[address, AttesterView]
# Bulk-seeded attesters (benchmark): status in the low byte, effective balance above it, so a
# view costs one storage read; py-evm's trie lookups make each SLOAD ~0.5 ms.
summaries: HashMap[address, uint256]
queueAttesters: HashMap[uint256, address]
queueWithdrawers: HashMap[uint256, address]
queueHead: uint256
queueTail: uint256
attesterList: HashMap[uint256, address]

flushSize: uint256
availableFlushes: uint256
nextFlushableEpoch: uint256
bootstrapped: bool
epochDuration: uint256
slotDuration: uint256
currentEpoch: uint256
activeAttesterCount: uint256

@deploy
def __init__():
    pass

@external
def setParameters(flushSize: uint256, availableFlushes: uint256, nextFlushableEpoch: uint256, bootstrapped: bool, epochDuration: uint256, slotDuration: uint256, currentEpoch: uint256, activeAttesterCount: uint256):
    self.flushSize = flushSize
    self.availableFlushes = availableFlushes
    self.nextFlushableEpoch = nextFlushableEpoch
    self.bootstrapped = bootstrapped
    self.epochDuration = epochDuration
    self.slotDuration = slotDuration
    self.currentEpoch = currentEpoch
    self.activeAttesterCount = activeAttesterCount

@external
def setAttesterView(attester: address, attesterView: AttesterView):
    self.views[attester] = attesterView

@external
def setAttesterStatuses(attesters: DynArray[address, 400], statuses: DynArray[uint8, 400], balances: DynArray[uint256, 400]):
    i: uint256 = 0
    for attester: address in attesters:
        self.summaries[attester] = (balances[i] << 8) | convert(statuses[i], uint256)
        i += 1

@external
def enqueue(attesters: DynArray[address, 200], withdrawers: DynArray[address, 200]):
    i: uint256 = 0
    tail: uint256 = self.queueTail
    for attester: address in attesters:
        self.queueAttesters[tail] = attester
        self.queueWithdrawers[tail] = withdrawers[i]
        log ValidatorQueued(attester=attester, withdrawer=withdrawers[i])
        tail += 1
        i += 1
    self.queueTail = tail

@external
def dequeue(count: uint256):
    assert self.queueHead + count <= self.queueTail, "queue too short"
    self.queueHead += count

@view
@external
def getAttesterView(attester: address) -> AttesterView:
    summary: uint256 = self.summaries[attester]
    if summary != 0:
        return AttesterView(status=convert(summary & 255, uint8), effectiveBalance=summary >> 8, exit=empty(Exit), config=empty(AttesterConfig))
    return self.views[attester]

@view
@external
def getStatus(attester: address) -> uint8:
    summary: uint256 = self.summaries[attester]
    if summary != 0:
        return convert(summary & 255, uint8)
    return self.views[attester].status

@view
@external
def getEntryQueueLength() -> uint256:
    return self.queueTail - self.queueHead

@view
@external
def getEntryQueueAt(index: uint256) -> DepositArgs:
    assert index < self.queueTail - self.queueHead, "entry queue index out of bounds"
    slot: uint256 = self.queueHead + index
    attester: address = self.queueAttesters[slot]
    key: uint256 = convert(attester, uint256)
    return DepositArgs(
        attester=attester,
        withdrawer=self.queueWithdrawers[slot],
        publicKeyInG1=G1Point(x=key + 1, y=slot),
        publicKeyInG2=G2Point(x0=slot * 4 + 1, x1=slot * 4 + 2, y0=slot * 4 + 3, y1=slot * 4 + 4),
        proofOfPossession=G1Point(x=slot, y=slot * 2),
        moveWithLatestRollup=slot % 2 == 0)

@view
@external
def getEntryQueueFlushSize() -> uint256:
    return self.flushSize

@view
@external
def getAvailableValidatorFlushes() -> uint256:
    return self.availableFlushes

@view
@external
def getNextFlushableEpoch() -> uint256:
    return self.nextFlushableEpoch

@view
@external
def getIsBootstrapped() -> bool:
    return self.bootstrapped

@view
@external
def getEpochDuration() -> uint256:
    return self.epochDuration

@view
@external
def getSlotDuration() -> uint256:
    return self.slotDuration

@view
@external
def getCurrentEpoch() -> uint256:
    return self.currentEpoch

@view
@external
def getActiveAttesterCount() -> uint256:
    return self.activeAttesterCount

@view
@external
def getAttesterAtIndex(index: uint256) -> address:
    return self.attesterList[index]
