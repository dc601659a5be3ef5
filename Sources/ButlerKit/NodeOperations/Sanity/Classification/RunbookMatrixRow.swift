/// The rows of the runbook's two matrices (Issue Resolution and Release Support), each with
/// its action, criticality and owners. Findings name the row they fall under; rows no
/// check can see (build failures, challenge errors, hotfix deployments) are listed so
/// the documentation can say why.
public enum RunbookMatrixRow: String, Sendable, Codable, CaseIterable {
    /// Issue Resolution: build failure.
    case buildFailure = "build-failure"
    /// Issue Resolution: deployment issues.
    case deploymentIssues = "deployment-issues"
    /// Issue Resolution: network instability (any of the seven conditions).
    case networkInstability = "network-instability"
    /// Issue Resolution: challenge completion errors.
    case challengeCompletionErrors = "challenge-completion-errors"
    /// Issue Resolution: minor operational issues.
    case minorOperationalIssues = "minor-operational-issues"
    /// Issue Resolution: hotfix deployment.
    case hotfixDeployment = "hotfix-deployment"
    /// Release Support: challenge completion issues.
    case challengeCompletionIssues = "challenge-completion-issues"
    /// Release Support: node stability issues.
    case nodeStabilityIssues = "node-stability-issues"
    /// Release Support: network-wide problems.
    case networkWideProblems = "network-wide-problems"
    /// Release Support: bridge/contract issues.
    case bridgeContractIssues = "bridge-contract-issues"

    /// The row's event as the runbook words it.
    public var event: String {
        switch self {
        case .buildFailure: "Build failure"
        case .deploymentIssues: "Deployment issues"
        case .networkInstability: "Network instability"
        case .challengeCompletionErrors: "Challenge completion errors"
        case .minorOperationalIssues: "Minor operational issues"
        case .hotfixDeployment: "Hotfix deployment"
        case .challengeCompletionIssues: "Challenge completion issues"
        case .nodeStabilityIssues: "Node stability issues"
        case .networkWideProblems: "Network-wide problems"
        case .bridgeContractIssues: "Bridge/Contract issues"
        }
    }

    /// The row's action.
    public var action: String {
        switch self {
        case .buildFailure: "Rerun CI or revert problematic changes."
        case .deploymentIssues: "Reference the deployment README or escalate to the Delta team."
        case .networkInstability: "Create a detailed issue report for the Alpha team."
        case .challengeCompletionErrors: "Document the issue and assess the challenge's viability."
        case .minorOperationalIssues: "Create a tracking issue."
        case .hotfixDeployment: "Update the testnet and verify the fix."
        case .challengeCompletionIssues: "Provide guidance or create an issue."
        case .nodeStabilityIssues: "Collect logs and create an issue."
        case .networkWideProblems: "Escalate to the Delta team."
        case .bridgeContractIssues: "Investigate and escalate if needed."
        }
    }

    /// The row's criticality.
    public var criticality: Criticality {
        switch self {
        case .buildFailure, .deploymentIssues, .networkInstability: .blocker
        case .networkWideProblems, .bridgeContractIssues: .critical
        case .challengeCompletionErrors, .hotfixDeployment, .nodeStabilityIssues: .major
        case .minorOperationalIssues, .challengeCompletionIssues: .minor
        }
    }

    /// The row's owners, as the runbook names them ("" where it names none).
    public var owners: String {
        switch self {
        case .buildFailure: ""
        case .deploymentIssues, .minorOperationalIssues, .hotfixDeployment, .nodeStabilityIssues: "Delta Team"
        case .networkInstability, .bridgeContractIssues: "Alpha Team"
        case .challengeCompletionErrors: "Product Team"
        case .challengeCompletionIssues: "DevRel Team"
        case .networkWideProblems: "Alpha/Delta Teams"
        }
    }

    /// "Node stability issues (Delta Team): Collect logs and create an issue."
    public var phrase: String { "\(event)\(owners.isEmpty ? "" : " (\(owners))"): \(action)" }
}
