#!/usr/bin/env bash
# Runs the test suites that carry a Swift Testing tag (declared once in
# Tests/TestSupport/SwiftTesting+Tags.swift):
#   scripts/test-tag.sh TAG [swift test options]   e.g. scripts/test-tag.sh unit --skip-build
#   scripts/test-tag.sh --list TAG                 the suites with TAG, as Module.Suite
#   scripts/test-tag.sh --check                    fails when a top-level suite has no tag
# Tags: unit, sandbox (root, iproute2, openssh-server), evm (.venv-evm), slow.
# `swift test --filter` matches test names only (Swift 6.3 has no tag filter on the command
# line), so this reads the `.tags(...)` of each top-level `@Suite(...)` in Tests/*Tests
# (the type named on the same line or the next) and passes one `--filter Module.Suite/`
# per suite; nested suites inherit their parent's tags and run with it.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/test-tag.sh TAG [swift test options] | --list TAG | --check" >&2
    exit 2
}

# One line per top-level suite: "Module Suite tag,tag" ("-" when it has no tag).
suites() {
    # shellcheck disable=SC2016 # the awk program's $0 and fields are awk's, not the shell's
    find Tests -path 'Tests/*Tests/*' -name '*.swift' -print0 | sort -z | xargs -0 awk '
        function emit(suite, declaration,    name, tags) {
            if (!match(declaration, /(struct|enum|class|actor) [A-Za-z0-9_]+/)) return
            name = substr(declaration, RSTART, RLENGTH); sub(/^[a-z]+ /, "", name)
            tags = "-"
            if (match(suite, /\.tags\([^)]*\)/)) {
                tags = substr(suite, RSTART + 6, RLENGTH - 7); gsub(/[. ]/, "", tags)
            }
            print module, name, tags
        }
        FNR == 1 { split(FILENAME, parts, "/"); module = parts[2]; pending = "" }
        pending != "" { emit(pending, $0); pending = ""; next }
        /^@Suite/ {
            if ($0 ~ /(struct|enum|class|actor) [A-Za-z0-9_]+/) emit($0, $0); else pending = $0
        }'
}

# The suites carrying tag $1, as Module.Suite.
tagged() {
    suites | awk -v tag="$1" '{ n = split($3, tags, ","); for (i = 1; i <= n; i++) if (tags[i] == tag) { print $1 "." $2; break } }'
}

[ $# -ge 1 ] || usage
case $1 in
--check)
    untagged=$(suites | awk '$3 == "-" { print $1 "." $2 }')
    if [ -n "$untagged" ]; then
        echo "test-tag: suites without a tag (add .tags(.unit), .sandbox, .evm or .slow):" >&2
        echo "$untagged" >&2
        exit 1
    fi
    echo "test-tag: every top-level suite has a tag ($(suites | wc -l | tr -d ' ') suites)"
    ;;
--list)
    [ $# -eq 2 ] || usage
    tagged "$2"
    ;;
-*) usage ;;
*)
    tag=$1
    shift
    filters=()
    while read -r suite; do
        filters+=(--filter "${suite//./\\.}/")
    done < <(tagged "$tag")
    if [ ${#filters[@]} -eq 0 ]; then
        echo "test-tag: no suite carries the tag '$tag' (tags: unit, sandbox, evm, slow)" >&2
        exit 1
    fi
    echo "test-tag: $((${#filters[@]} / 2)) suites tagged .$tag" >&2
    exec swift test "$@" "${filters[@]}"
    ;;
esac
