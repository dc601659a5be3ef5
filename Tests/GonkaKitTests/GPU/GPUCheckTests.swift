import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Phase 0's GPU check without a server: `nvidia-smi`'s answers read (hostile and broken ones
/// too), the fit rules against Gonka's figures, the pick of an official configuration for a
/// node file that leaves it open, and the finding a node file's settings lead to.
@Suite(.tags(.unit)) struct GPUCheckTests {
    static let h100 = ServerGPU(name: "NVIDIA H100 80GB HBM3", memoryMiB: 81559)
    static let h200 = ServerGPU(name: "NVIDIA H200", memoryMiB: 143771)
    static let rtx4090 = ServerGPU(name: "NVIDIA GeForce RTX 4090", memoryMiB: 24564)
    static let a100 = ServerGPU(name: "NVIDIA A100-SXM4-80GB", memoryMiB: 81920)

    static func read(_ output: String, status: Int32 = 0, errorOutput: String = "") -> ServerGPUs {
        ServerGPUs.parse(status: status, output: output, errorOutput: errorOutput)
    }

    static func unreadable(_ reading: ServerGPUs) -> String? {
        if case .unreadable(let why) = reading { return why }
        return nil
    }

    // MARK: Reading nvidia-smi

    @Test func readsOneLinePerGPU() {
        #expect(Self.read("NVIDIA H100 80GB HBM3, 81559\n") == .found([Self.h100]))
        let eight = String(repeating: "NVIDIA GeForce RTX 4090, 24564\r\n", count: 8)
        #expect(Self.read("\n" + eight + "\n  \n") == .found(Array(repeating: Self.rtx4090, count: 8)))
        #expect(Self.read(eight).summary == "8 × NVIDIA GeForce RTX 4090 (24564 MiB)")
        #expect(Self.read("NVIDIA H100 80GB HBM3, 81559\nNVIDIA H200, 143771\nNVIDIA H100 80GB HBM3, 81559\n").summary
            == "2 × NVIDIA H100 80GB HBM3 (81559 MiB), 1 × NVIDIA H200 (143771 MiB)")
        // The memory is after the last comma; a name may hold one.
        #expect(Self.read("  Odd, Vendor GPU ,  16384  ").gpus == [ServerGPU(name: "Odd, Vendor GPU", memoryMiB: 16384)])
    }

    @Test func hostileNamesAreEscapedAndCut() throws {
        let reading = Self.read("\u{1B}[31mEvil\u{7}GPU\u{202E}, 81559\n" + String(repeating: "N", count: 500) + ", 24564\n")
        let gpus = reading.gpus
        #expect(gpus.count == 2)
        for gpu in gpus {
            #expect(!gpu.name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format },
                    "\(gpu.name.debugDescription)")
        }
        #expect(gpus.first?.name.contains("Evil") == true && gpus.first?.memoryMiB == 81559)
        #expect(gpus.last?.name.count == ServerGPUs.longestName)
    }

    @Test func whatIsNotAGPUListIsUnreadable() throws {
        #expect(Self.unreadable(Self.read("")) == "nvidia-smi lists no GPU")
        #expect(Self.unreadable(Self.read(" \n\r\n")) == "nvidia-smi lists no GPU")
        for bad in ["NVIDIA H100, [N/A]", "NVIDIA H100", ", 81559", "NVIDIA H100, -5", "NVIDIA H100, 0", "NVIDIA H100, 81.5",
                    "NVIDIA H100, 999999999999", "NVIDIA H100, 8１559"] {
            let why = try #require(Self.unreadable(Self.read("NVIDIA H200, 143771\n" + bad + "\n")), "\(bad) was read as a GPU")
            #expect(why.hasPrefix("nvidia-smi line 2 is not 'name, memory in MiB'"), "\(why)")
        }
        let escaped = try #require(Self.unreadable(Self.read("\u{1B}]0;title\u{7}, x")))
        #expect(!escaped.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(escaped.debugDescription)")
        let many = String(repeating: "NVIDIA H100 80GB HBM3, 81559\n", count: ServerGPUs.mostGPUs + 1)
        #expect(Self.unreadable(Self.read(many))?.contains("more than the 64 GPUs") == true)
    }

    @Test func aMissingOrFailingNvidiaSMIIsAFinding() {
        #expect(Self.unreadable(Self.read("", status: 127, errorOutput: "sh: 1: nvidia-smi: not found\n"))
            == "nvidia-smi is not installed on the server (no NVIDIA driver)")
        let failed = Self.unreadable(Self.read("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", status: 9))
        #expect(failed == "nvidia-smi failed (exit 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")
        let hostile = Self.unreadable(Self.read("", status: 1, errorOutput: "\u{1B}[2Jboom\n"))
        #expect(hostile?.hasPrefix("nvidia-smi failed (exit 1): ") == true && hostile?.contains("\u{1B}") == false)
        #expect(Self.read("", status: 6).gpus.isEmpty)
    }

    // MARK: The fit rules

    @Test func gigabytesAreDecimal() {
        // An "80 GB" H100 reports 81559 MiB: Gonka's 80 GB are decimal, 76294 MiB.
        #expect(ModelMemoryNeed.mebibytes(gigabytes: 80) == 76294)
        #expect(ModelMemoryNeed.mebibytes(gigabytes: 640) == 610352)
        #expect(ModelMemoryNeed.mebibytes(gigabytes: 16) == 15259)
        #expect(NodeProfile.x1.tensorParallelSize == 1 && NodeProfile.x8.tensorParallelSize == 4 && NodeProfile.x8RTX4090.tensorParallelSize == 4)
    }

    @Test func theOfficialConfigurationsFitTheirHardware() {
        for profile in NodeProfile.allCases {
            for set in profile.officialHardware {
                let gpus = Array(repeating: set.model == "H200" ? Self.h200 : set.model == "H100" ? Self.h100 : Self.rtx4090, count: set.count)
                #expect(GPUFit.problems(profile, gpus: gpus).isEmpty, "\(profile) on \(set): \(GPUFit.problems(profile, gpus: gpus))")
                #expect(GPUFit.officialMatch(profile, gpus: gpus) == set)
            }
        }
    }

    @Test func oneSmallGPUCannotRunTheModel() {
        let problems = GPUFit.problems(.x1, gpus: [Self.rtx4090])
        #expect(problems == [
            "one instance of Qwen/Qwen3-32B-FP8 runs on one GPU of 24564 MiB, less than the 80 GB (76294 MiB) it needs",
            "the GPUs hold 24564 MiB in all, less than the 80 GB (76294 MiB) Qwen/Qwen3-32B-FP8 needs on one ML node",
        ])
        // Eight of them hold enough in all, but one instance still runs on one of them.
        #expect(GPUFit.problems(.x1, gpus: Array(repeating: Self.rtx4090, count: 8))
            == ["one instance of Qwen/Qwen3-32B-FP8 runs on one GPU of 24564 MiB, less than the 80 GB (76294 MiB) it needs"])
    }

    @Test func theLargeModelNeedsItsGPUs() {
        #expect(GPUFit.problems(.x8, gpus: [Self.h100]) == [
            "node-config.json runs Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 with tensor parallelism 4, which needs at least 4 GPUs; the server has 1",
            "the GPUs hold 81559 MiB in all, less than the 640 GB (610352 MiB) Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 needs on one ML node",
        ])
        #expect(GPUFit.problems(.x8, gpus: Array(repeating: Self.rtx4090, count: 8)) == [
            "one instance of Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 runs on 4 GPUs of 24564 MiB, 98256 MiB, less than the 320 GB (305176 MiB) it needs",
            "the GPUs hold 196512 MiB in all, less than the 640 GB (610352 MiB) Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 needs on one ML node",
        ])
        // Mixed cards: an instance is as large as its smallest GPUs allow.
        #expect(GPUFit.problems(.x8, gpus: Array(repeating: Self.h100, count: 7) + [Self.rtx4090]).first?.contains("4 GPUs of 24564 MiB") == true)
    }

    @Test func everyGPUNeedsSixteenGigabytes() {
        let small = ServerGPU(name: "NVIDIA GeForce RTX 3060", memoryMiB: 12288)
        let problems = GPUFit.problems(.x8RTX4090, gpus: Array(repeating: Self.a100, count: 4) + [small])
        #expect(problems == ["GPU 4 (NVIDIA GeForce RTX 3060, 12288 MiB) has less than the 16 GB (15259 MiB) Gonka asks of every GPU",
                             "one instance of Qwen/Qwen3-32B-FP8 runs on 4 GPUs of 12288 MiB, 49152 MiB, less than the 80 GB (76294 MiB) it needs"])
        #expect(GPUFit.problems(.x1, gpus: []) == ["the server has no GPU"])
    }

    @Test func gpuModelsAreMatchedByAWordOfTheirName() {
        let set = GPUSet(count: 1, model: "H100", nameWord: "H100")
        #expect(set.matches(ServerGPU(name: "NVIDIA H100 PCIe", memoryMiB: 81559)))
        #expect(set.matches(ServerGPU(name: "nvidia h100 nvl", memoryMiB: 95830)))
        #expect(!set.matches(ServerGPU(name: "NVIDIA H1000", memoryMiB: 81559)))
        #expect(!set.matches(Self.h200))
        #expect(GPUSet(count: 8, model: "RTX 4090", nameWord: "4090").description == "8x4090")
    }

    // MARK: Picking a configuration

    @Test func theOfficialConfigurationForTheGPUsIsPicked() {
        let medium = NodeProfile.x1.modelName, large = NodeProfile.x8.modelName
        #expect(GPUFit.pick(model: medium, gpus: Array(repeating: Self.rtx4090, count: 8))
            == ProfilePick(profile: .x8RTX4090, officialMatch: GPUSet(count: 8, model: "RTX 4090", nameWord: "4090")))
        #expect(GPUFit.pick(model: medium, gpus: [Self.h100])?.officialMatch?.description == "1xH100")
        #expect(GPUFit.pick(model: large, gpus: Array(repeating: Self.h200, count: 8))?.officialMatch?.description == "8xH200")
        #expect(GPUFit.pick(model: medium, gpus: Array(repeating: Self.rtx4090, count: 8))?.description
            == "x8-4090, the official 8x4090 configuration")
    }

    @Test func withoutAnOfficialMatchTheFittingOneWithTheMostInstancesIsPicked() {
        let medium = NodeProfile.x1.modelName
        // Four A100 run x1 (four instances) and x8-4090 (one instance of four GPUs): x1.
        let pick = GPUFit.pick(model: medium, gpus: Array(repeating: Self.a100, count: 4))
        #expect(pick == ProfilePick(profile: .x1, officialMatch: nil))
        #expect(pick?.description == "x1, which fits (written for 1xH100; no official configuration is for these GPUs)")
        // Four RTX 4090: only x8-4090's groups of four hold the model.
        #expect(GPUFit.pick(model: medium, gpus: Array(repeating: Self.rtx4090, count: 4))?.profile == .x8RTX4090)
        #expect(GPUFit.pick(model: medium, gpus: [Self.rtx4090]) == nil)
        #expect(GPUFit.pick(model: NodeProfile.x8.modelName, gpus: [Self.h100]) == nil)
        #expect(GPUFit.pick(model: "Qwen/Other", gpus: [Self.h100]) == nil)
    }

    // MARK: The finding of a node file

    @Test func anOpenProfileIsPickedAndNodeConfigJSONWrittenForIt() throws {
        var config = try NodeConfig.parse(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "auto"]), file: "nodes/node1.conf", environment: [:])
        #expect(config.profileIsOpen && config.profile == .x1)
        #expect(config.notes.contains { $0.message.hasPrefix("NODE_CONFIG_PROFILE=auto: the deployment picks") })
        let finding = GPUCheckFinding(config: config, gpus: .found(Array(repeating: Self.rtx4090, count: 8)), overridden: false)
        #expect(finding.profile == .x8RTX4090 && finding.fits && !finding.stopsDeployment)
        #expect(finding.shownProfile == "x8-4090, the official 8x4090 configuration, picked for the GPUs")
        #expect(finding.configuration == "x8-4090 (Qwen/Qwen3-32B-FP8, --tensor-parallel-size 4)")
        config = try NodeConfig.parse(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "x8-4090"]), file: "nodes/node1.conf", environment: [:])
        let rendered = try #require(try JSONSerialization.jsonObject(with: Data(NodeConfigJSONFile.render(config.profile).utf8)) as? [[String: Any]])
        #expect(rendered.first?["models"] as? [String: [String: [String]]] == ["Qwen/Qwen3-32B-FP8": ["args": ["--tensor-parallel-size", "4"]]])
    }

    @Test func aMisfitStopsTheDeploymentUnlessOverridden() throws {
        let config = try NodeConfig.parse(GonkaFixtures.nodeFile(), file: "nodes/node1.conf", environment: [:])
        let small = GPUCheckFinding(config: config, gpus: .found([Self.rtx4090]), overridden: false)
        #expect(!small.fits && small.stopsDeployment && small.problems.count == 2 && small.shownProfile == "x1")
        #expect(!GPUCheckFinding(config: config, gpus: .found([Self.rtx4090]), overridden: true).stopsDeployment)
        let warned = try NodeConfig.parse(GonkaFixtures.nodeFile(["GPU_CHECK": "warn"]), file: "nodes/node1.conf", environment: [:])
        #expect(warned.gpuCheck == .warn && config.gpuCheck == .refuse)
        let overridden = GPUCheckFinding(config: warned, gpus: .found([Self.rtx4090]), overridden: false)
        #expect(!overridden.fits && overridden.overridden && !overridden.stopsDeployment)
        let none = GPUCheckFinding(config: config, gpus: .unreadable("nvidia-smi lists no GPU"), overridden: false)
        #expect(none.problems == ["no GPU was read: nvidia-smi lists no GPU"] && none.stopsDeployment)
        #expect(GPUCheckFinding(config: config, gpus: .found([Self.h100]), overridden: false).fits)
        // Left open with nothing fitting: the first configuration serving the model is judged and shown as such.
        let open = try NodeConfig.parse(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "auto"]), file: "nodes/node1.conf", environment: [:])
        let unpicked = GPUCheckFinding(config: open, gpus: .found([Self.rtx4090]), overridden: false)
        #expect(unpicked.pick == nil && unpicked.profile == .x1 && unpicked.stopsDeployment)
        #expect(unpicked.shownProfile == "x1 (no configuration serving the model fits the GPUs)")
    }

    @Test func anOpenProfileNeedsAModelSomeConfigurationServes() throws {
        let error = try #require(throws: NodeConfigError.self) {
            try NodeConfig.parse(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "auto", "MODEL_NAME": "Qwen/Qwen2.5-7B"]), file: "n.conf", environment: [:])
        }
        #expect(error.description.contains("MODEL_NAME 'Qwen/Qwen2.5-7B' is served by no configuration, so NODE_CONFIG_PROFILE=auto has none to pick"),
                "\(error.description)")
    }
}
