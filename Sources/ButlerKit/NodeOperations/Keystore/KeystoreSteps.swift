import FleetKit
import Foundation

/// The install steps of the keystore form: the folders, the keys a node took from its
/// `.env` or the original's start script moved into a keystore (a migration), the keystore
/// written, and the `.env` of the environment form kept as a backup before it is replaced.
enum KeystoreSteps {
    /// The steps, in order, to run after the node folder exists and before the `.env` is written.
    static func steps(_ settings: InstallSettings) -> [Step] {
        [folders(settings), environmentKeysMoved(settings), keystoreWritten(settings), environmentKept(settings)]
    }

    /// The keystore and backup folders, mode 0700.
    static func folders(_ settings: InstallSettings) -> Step {
        let compose = settings.layouts.compose
        let keystore = RemoteShell.q(compose.keystoreDirectory)
        let backups = RemoteShell.q(compose.backupDirectory)
        let ready = "test \"$(stat -c %a \(keystore) 2>/dev/null)\" = 700 && test \"$(stat -c %a \(backups) 2>/dev/null)\" = 700"
        return .shell("keystore folder", check: ready, action: "mkdir -p \(keystore) \(backups) && chmod 0700 \(keystore) \(backups)")
    }

    /// Reads the keys and coinbase a node runs in the environment form, from its `.env`, else
    /// from the original's start script (live or retired `*.migrated`), into `$keys` (comma-
    /// separated) and `$coinbase`. Values only ever pass through files and builtins.
    static func findEnvironmentKeys(_ layouts: NodeLayouts) -> String {
        let q = RemoteShell.q
        let start = layouts.original.startScript
        return """
            keys=; coinbase=
            if [ -f \(q(layouts.compose.environmentFile)) ]; then
              keys=$(sed -n 's/^VALIDATOR_PRIVATE_KEYS\\{0,1\\}=["'"'"']\\{0,1\\}\\([0-9a-fA-Fx, ]*\\).*/\\1/p' \(q(layouts.compose.environmentFile)) | tr ' \\n' ',,')
              coinbase=$(sed -n 's/^COINBASE=["'"'"']\\{0,1\\}\\(0x[0-9a-fA-F]\\{40\\}\\).*/\\1/p' \(q(layouts.compose.environmentFile)) | head -n 1)
            fi
            if [ -z "$(printf '%s' "$keys" | tr -d ',')" ]; then
              for s in \(q(start)) \(q(start + ".migrated")); do
                \(Privilege.asRoot) test -f "$s" || continue
                keys=$(\(Privilege.asRoot) sed -n 's/.*--sequencer\\.validatorPrivateKeys\\{0,1\\}[ =]["'"'"']\\{0,1\\}\\([0-9a-fA-Fx,]*\\).*/\\1/p' "$s" | head -n 1)
                coinbase=$(\(Privilege.asRoot) sed -n 's/.*--sequencer\\.coinbase[ =]["'"'"']\\{0,1\\}\\(0x[0-9a-fA-F]\\{40\\}\\).*/\\1/p' "$s" | head -n 1)
                break
              done
            fi
            keys=$(printf '%s' "$keys" | tr -d ' ')
            [ -n "$(printf '%s' "$keys" | tr -d ',')" ] || keys=

            """
    }

    /// When the node has no keystore yet but runs keys from its `.env` or the start script:
    /// with the migration, a keystore holding every one of those keys (each with the node's
    /// coinbase) is written; without it the server fails, so no key is ever dropped.
    static func environmentKeysMoved(_ settings: InstallSettings) -> Step {
        let compose = settings.layouts.compose
        let q = RemoteShell.q
        let keystore = q(compose.keystoreFile)
        let find = RemoteShell.requireRoot + findEnvironmentKeys(settings.layouts)
        let zeros = String(repeating: "0", count: 64)
        let write = """
            set -e; umask 077
            \(find)
            [ -n "$keys" ] || exit 0
            t=$(mktemp \(q(compose.keystoreDirectory + "/.keystore.XXXXXX"))); trap 'rm -f "$t"' EXIT
            first=1
            {
              printf '{\\n  "schemaVersion": 1,\\n  "validators": [\\n'
              IFS=,
              for k in $keys; do
                [ -n "$k" ] || continue
                case $k in 0x*) ;; *) k=0x$k ;; esac
                case $k in 0x*[!0-9a-fA-F]*) echo "a validator key is not hex; nothing was moved" >&2; exit 5 ;; esac
                [ "$first" = 1 ] || printf ',\\n'
                first=0
                printf '    {\\n      "attester": {\\n        "eth": "%s"\\n      },\\n' "$k"
                [ -z "$coinbase" ] || printf '      "coinbase": "%s",\\n' "$coinbase"
                printf '      "feeRecipient": "0x\(zeros)"\\n    }'
              done
              printf '\\n  ]\\n}\\n'
            } >"$t"
            chmod 600 "$t"; mv -f -- "$t" \(keystore); trap - EXIT
            echo "moved the node's keys into its keystore"
            """
        let refuse = settings.movesEnvironmentKeys ? "" : """
            echo "the node takes its validator keys from its .env or start script; choose the migration to move them into a keystore (nothing else was changed)" >&2; exit 1
            """
        return Step("keys moved into the keystore",
                    check: .shell("test -e \(keystore) || { \(find) [ -z \"$keys\" ]; }"),
                    action: .shell(settings.movesEnvironmentKeys ? write : "set -e; \(find) [ -z \"$keys\" ] || { \(refuse); }"))
    }

    /// The keystore: the server's Butler keys file when there is one (replaced when it
    /// differs, the previous file kept in the backup folder), else, when the node has none
    /// yet, a one-validator keystore from the inventory row.
    static func keystoreWritten(_ settings: InstallSettings) -> Step {
        let compose = settings.layouts.compose
        let keystore = RemoteShell.q(compose.keystoreFile)
        return Step("keystore",
                    check: .swift { context in
                        if let file = settings.keystoreFiles[KeystoreServerID.of(context.host)] {
                            return try await context.run("cmp -s - \(keystore) && test \"$(stat -c %a \(keystore))\" = 600",
                                                         standardInput: file.contents).succeeded
                        }
                        return try await context.run("test -e \(keystore)").succeeded
                    },
                    action: .swift { context in
                        let serverId = KeystoreServerID.of(context.host)
                        if let file = settings.keystoreFiles[serverId] {
                            try await KeystoreUpload.replace(file, in: compose, context: context)
                            return
                        }
                        guard let text = InventoryKeystore.text(for: context.host) else {
                            throw StepFailure("no keystore on the server, no keys file for Butler server id \(serverId), and no validator private key in this host's inventory row")
                        }
                        let result = try await context.run(RemoteCommand(UploadScript.make(path: compose.keystoreFile, mode: 0o600),
                                                                         standardInput: Data(text.utf8)))
                        guard result.succeeded else { throw StepFailure("cannot write \(compose.keystoreFile): \(result.tail(lines: 2))") }
                    })
    }

    /// The `.env` of the environment form, still holding keys, copied into the backup folder
    /// (mode 0600) before the keystore form's `.env` replaces it.
    static func environmentKept(_ settings: InstallSettings) -> Step {
        let compose = settings.layouts.compose
        let q = RemoteShell.q
        let env = q(compose.environmentFile)
        let holdsKeys = "grep -q '^VALIDATOR_PRIVATE_KEY' \(env) 2>/dev/null"
        return .shell("environment-form .env kept",
                      check: "! \(holdsKeys)",
                      action: "set -e; umask 077; b=\(q(compose.backupDirectory))/env-form.env.$(date +%Y%m%d_%H%M%S); cp -- \(env) \"$b\"; chmod 600 \"$b\"; echo \"previous .env kept as $b\"")
    }
}

/// Puts a keystore file on a node atomically: uploaded beside the keystore folder with mode
/// 0600, the previous file copied into the backup folder, then renamed into place.
enum KeystoreUpload {
    /// The script: standard input becomes the keystore; `$1` is the source name to record.
    static func script(_ compose: ComposeLayout) -> String {
        let q = RemoteShell.q
        return """
            set -e; umask 077
            mkdir -p \(q(compose.keystoreDirectory)) \(q(compose.backupDirectory)); chmod 0700 \(q(compose.keystoreDirectory)) \(q(compose.backupDirectory))
            t=$(mktemp \(q(compose.nodeDirectory + "/.keystore-upload.XXXXXX"))); trap 'rm -f "$t"' EXIT
            cat >"$t"; chmod 600 "$t"
            if [ -e \(q(compose.keystoreFile)) ]; then
              b=\(q(compose.backupDirectory))/keystore.json.$(date +%Y%m%d_%H%M%S); n=2; base=$b
              while [ -e "$b" ]; do b="${base}_$n"; n=$((n + 1)); done
              cp -p -- \(q(compose.keystoreFile)) "$b"; chmod 600 "$b"
              echo "previous keystore kept as $b"
            fi
            mv -f -- "$t" \(q(compose.keystoreFile)); trap - EXIT
            printf '%s\\n' "$1" >\(q(compose.keystoreSourceFile))
            """
    }

    /// Runs ``script(_:)`` for `file` on the context's host.
    static func replace(_ file: KeystoreFile, in compose: ComposeLayout, context: HostContext) async throws {
        let command = "sh -c \(RemoteShell.q(script(compose))) sh \(RemoteShell.q(TerminalText.escaped(file.name)))"
        let result = try await context.run(RemoteCommand(command, standardInput: file.contents))
        guard result.succeeded else { throw StepFailure("cannot write \(compose.keystoreFile): \(result.summary): \(result.tail(lines: 2))") }
        let kept = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if !kept.isEmpty { context.log(.info, kept) }
    }
}
