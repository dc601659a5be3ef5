# pragma version ^0.4.0
# Test stand-in for the Aztec StakingRegistry (ignition-contracts): same function
# signatures, return shapes, reverts and events (StakedWithProvider, AttestersAddedToProvider),
# admin checks on the provider-admin functions, and test-only setters (addAttestersToProvider,
# dripQueue, stake).

struct ProviderConfiguration:
    providerAdmin: address
    providerTakeRate: uint16
    providerRewardsRecipient: address

struct G1Point:
    x: uint256
    y: uint256

struct G2Point:
    x0: uint256
    x1: uint256
    y0: uint256
    y1: uint256

struct KeyStore:
    attester: address
    publicKeyG1: G1Point
    publicKeyG2: G2Point
    proofOfPossession: G1Point

event StakedWithProvider:
    providerIdentifier: indexed(uint256)
    rollupAddress: indexed(address)
    attester: indexed(address)
    coinbaseSplitContractAddress: address
    stakerImplementation: address

event AttestersAddedToProvider:
    providerIdentifier: indexed(uint256)
    attesters: DynArray[address, 100]

providerConfigurations: public(HashMap[uint256, ProviderConfiguration])
pendingProviderAdmins: public(HashMap[uint256, address])
storedKeys: HashMap[uint256, HashMap[uint128, KeyStore]]
hasStoredKey: HashMap[uint256, HashMap[uint128, bool]]
nextProviderIdentifier: public(uint256)
queueValues: HashMap[uint256, HashMap[uint128, address]]
queueFirst: HashMap[uint256, uint128]
queueLast: HashMap[uint256, uint128]

@deploy
def __init__():
    self.nextProviderIdentifier = 1

@external
def registerProvider(admin: address, takeRate: uint16, rewardsRecipient: address) -> uint256:
    identifier: uint256 = self.nextProviderIdentifier
    self.providerConfigurations[identifier] = ProviderConfiguration(providerAdmin=admin, providerTakeRate=takeRate, providerRewardsRecipient=rewardsRecipient)
    self.queueFirst[identifier] = 1
    self.queueLast[identifier] = 1
    self.nextProviderIdentifier = identifier + 1
    return identifier

@external
def addKeysToProvider(provider: uint256, keyStores: DynArray[KeyStore, 100]):
    assert msg.sender == self.providerConfigurations[provider].providerAdmin, "not the provider admin"
    last: uint128 = self.queueLast[provider]
    attesters: DynArray[address, 100] = []
    for keyStore: KeyStore in keyStores:
        self.queueValues[provider][last] = keyStore.attester
        self.storedKeys[provider][last] = keyStore
        self.hasStoredKey[provider][last] = True
        attesters.append(keyStore.attester)
        last += 1
    self.queueLast[provider] = last
    log AttestersAddedToProvider(providerIdentifier=provider, attesters=attesters)

@external
def updateProviderAdmin(provider: uint256, newAdmin: address):
    assert msg.sender == self.providerConfigurations[provider].providerAdmin, "not the provider admin"
    self.pendingProviderAdmins[provider] = newAdmin

@external
def acceptProviderAdmin(provider: uint256):
    assert msg.sender == self.pendingProviderAdmins[provider], "not the pending admin"
    self.providerConfigurations[provider].providerAdmin = msg.sender
    self.pendingProviderAdmins[provider] = empty(address)

@external
def updateProviderTakeRate(provider: uint256, takeRate: uint16):
    assert msg.sender == self.providerConfigurations[provider].providerAdmin, "not the provider admin"
    assert takeRate <= 10000, "take rate above 10000"
    self.providerConfigurations[provider].providerTakeRate = takeRate

@external
def addAttestersToProvider(provider: uint256, attesters: DynArray[address, 300]):
    last: uint128 = self.queueLast[provider]
    for attester: address in attesters:
        self.queueValues[provider][last] = attester
        last += 1
    self.queueLast[provider] = last

@external
def dripQueue(provider: uint256, count: uint128):
    assert self.queueFirst[provider] + count <= self.queueLast[provider], "queue too short"
    self.queueFirst[provider] += count

@external
def stake(provider: uint256, rollup: address, attester: address, coinbaseSplit: address, stakerImplementation: address):
    log StakedWithProvider(providerIdentifier=provider, rollupAddress=rollup, attester=attester, coinbaseSplitContractAddress=coinbaseSplit, stakerImplementation=stakerImplementation)

@view
@external
def getProviderQueueLength(provider: uint256) -> uint256:
    return convert(self.queueLast[provider] - self.queueFirst[provider], uint256)

@view
@external
def getFirstIndexInQueue(provider: uint256) -> uint128:
    return self.queueFirst[provider]

@view
@external
def getLastIndexInQueue(provider: uint256) -> uint128:
    return self.queueLast[provider]

@view
@external
def getValueAtIndexInQueue(provider: uint256, index: uint128) -> KeyStore:
    if index < self.queueFirst[provider] or index >= self.queueLast[provider]:
        raw_revert(method_id("QueueIndexOutOfBounds()"))
    if self.hasStoredKey[provider][index]:
        return self.storedKeys[provider][index]
    attester: address = self.queueValues[provider][index]
    slot: uint256 = convert(index, uint256)
    return KeyStore(
        attester=attester,
        publicKeyG1=G1Point(x=convert(attester, uint256), y=slot),
        publicKeyG2=G2Point(x0=provider, x1=slot, y0=slot + 1, y1=slot + 2),
        proofOfPossession=G1Point(x=slot * 3, y=slot * 5))
