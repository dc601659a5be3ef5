import FleetKit

/// Edits of node files on servers that never put a value in a command line.
enum RemoteEdit {
    /// How a replacement treats a file with no line holding its marker.
    enum Missing: String {
        /// The file must have such a line: the edit fails otherwise.
        case fail
        /// The replacement is appended as a new last line.
        case append
    }

    /// One replacement: every line containing `marker` becomes `line`.
    struct Replacement {
        var marker: String
        var line: String
        var missing: Missing
    }

    /// The replacements as standard input: three lines each (marker, new line, mode).
    static func input(_ replacements: [Replacement]) -> [UInt8] {
        Array(replacements.map { "\($0.marker)\n\($0.line)\n\($0.missing.rawValue)\n" }.joined().utf8)
    }

    /// A script (run as root) that keeps `file` as `<file>.backup.YYYYMMDD_HHMMSS` (`_2`, `_3` …
    /// when that name is taken; mode 0600 whatever the file's, since it may hold keys), then applies the replacements read from standard input to a
    /// copy and puts the copy in place in one rename: the file is either as it was or fully
    /// edited. The first line holding a marker is replaced and later ones are dropped; a
    /// replaced line that ended with a `\` continuation keeps it. Only shell builtins touch
    /// the values, so a validator key or an RPC URL never appears in any process's argv.
    static func replaceLines(in file: String) -> String {
        let inner = """
            set -e
            f=$1
            [ -f "$f" ] || { echo "$f not found" >&2; exit 3; }
            w=; t=
            trap 'rm -f "$w" "$t"' EXIT
            base="$f.backup.$(date +%Y%m%d_%H%M%S)"; b=$base; n=2
            while [ -e "$b" ]; do b="${base}_$n"; n=$((n + 1)); done
            cp -p -- "$f" "$b"; chmod 600 "$b"
            w=$(mktemp "$f.XXXXXX"); cp -p -- "$f" "$w"
            while IFS= read -r marker && IFS= read -r replacement && IFS= read -r missing; do
              t=$(mktemp "$f.XXXXXX")
              found=0
              while IFS= read -r line || [ -n "$line" ]; do
                case "$line" in
                  *"$marker"*)
                    [ "$found" = 0 ] || continue
                    found=1
                    r=$replacement
                    case "$line" in *\\\\) case "$r" in *\\\\) ;; *) r="$r \\\\" ;; esac ;; esac
                    printf '%s\\n' "$r" ;;
                  *) printf '%s\\n' "$line" ;;
                esac
              done <"$w" >"$t"
              if [ "$found" = 0 ]; then
                if [ "$missing" = append ]; then printf '%s\\n' "$replacement" >>"$t"; else echo "no line with $marker in $f; nothing was changed" >&2; exit 4; fi
              fi
              mv -f -- "$t" "$w"; t=
            done
            chmod --reference="$f" "$w"; chown --reference="$f" "$w" 2>/dev/null || true
            mv -f -- "$w" "$f"; w=
            echo "previous version kept as $b"
            """
        return "\(Privilege.asRoot) sh -c \(RemoteShell.q(inner)) sh \(RemoteShell.q(file))"
    }

    /// A check (run as root) that passes when every line holding a marker read from standard
    /// input already equals its replacement; builtins only, like ``replaceLines(in:)``.
    static func linesMatch(in file: String) -> String {
        let inner = """
            f=$1
            [ -f "$f" ] || exit 3
            while IFS= read -r marker && IFS= read -r replacement && IFS= read -r missing; do
              found=0
              while IFS= read -r line || [ -n "$line" ]; do
                case "$line" in
                  *"$marker"*)
                    found=1
                    l=${line%\\\\}; l=${l% }; r=${replacement%\\\\}; r=${r% }
                    [ "$l" = "$r" ] || exit 1 ;;
                esac
              done <"$f"
              [ "$found" = 1 ] || exit 1
            done
            exit 0
            """
        return "\(Privilege.asRoot) sh -c \(RemoteShell.q(inner)) sh \(RemoteShell.q(file))"
    }
}
