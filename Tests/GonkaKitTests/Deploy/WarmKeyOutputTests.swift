import FleetTestSupport
import GonkaKit
import Testing

/// Reading `inferenced keys show` / `keys add` output.
@Suite(.tags(.unit)) struct WarmKeyOutputTests {
    let added = """
        - address: gonka1qyqszqgpqyqszqgpqyqszqgpqyqszqgp5u0xzq
          name: quick-newton
          pubkey: '{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"A1"}'
          type: local


        **Important** write this mnemonic phrase in a safe place.
        It is the only way to recover your account if you ever forget your password.

        orbit velvet glacier pumpkin harbor lantern meadow quartz saddle thistle walnut zephyr
        """

    @Test func addressesAndMnemonic() {
        #expect(WarmKeyOutput.address(inAddOutput: added) == "gonka1qyqszqgpqyqszqgpqyqszqgpqyqszqgp5u0xzq")
        #expect(WarmKeyOutput.mnemonic(in: added) == "orbit velvet glacier pumpkin harbor lantern meadow quartz saddle thistle walnut zephyr")
        #expect(WarmKeyOutput.mnemonic(in: "- address: gonka1abc\\n") == nil)
        #expect(WarmKeyOutput.address(inShowOutput: "Enter keyring passphrase:\ngonka1qyqszqgpqyqszqgpqyqszqgpqyqszqgp5u0xzq\n")
            == "gonka1qyqszqgpqyqszqgpqyqszqgpqyqszqgp5u0xzq")
        #expect(WarmKeyOutput.address(inShowOutput: "Error: incorrect passphrase") == nil)
    }

    @Test func onlyAMissingKeyCountsAsMissing() {
        #expect(WarmKeyOutput.saysKeyIsMissing("Error: quick-newton is not a valid name or address: decoding bech32 failed"))
        #expect(WarmKeyOutput.saysKeyIsMissing("Error: quick-newton.info: key not found"))
        #expect(!WarmKeyOutput.saysKeyIsMissing("Error: incorrect passphrase"))
        #expect(!WarmKeyOutput.saysKeyIsMissing("Cannot connect to the Docker daemon"))
    }
}
