#!/usr/bin/env bash
# Type-checks every ```swift block of README.md and docs/*.md against the package's built
# modules (FleetKit, FleetKitTesting, ButlerKit, GonkaKit), each block on its own as a main.swift,
# so the documentation's code cannot drift from the API.
#
#   scripts/check-doc-samples.sh [--build-path DIR] [--jobs N] [FILE.md ...]
#   scripts/check-doc-samples.sh --self-test [--build-path DIR]
#
# DIR is SwiftPM's scratch folder (default .build, env DOC_SAMPLES_BUILD_PATH); build the
# library targets into it first (`swift build --build-tests` does). Paths are relative to
# the repository root. A block whose fence reads ```swift no-compile is skipped; use that
# only for fragments that cannot stand alone. Failures name the file and line of the
# block, with the compiler's messages pointing into the markdown file. Exit 0 when every
# block type-checks, 1 when one does not or no block was found, 2 on a usage or set-up
# error. --self-test checks that a broken block and a file without blocks fail and a good
# block passes, so the check cannot pass silently.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/check-doc-samples.sh [--build-path DIR] [--jobs N] [--self-test] [FILE.md ...]" >&2
    exit 2
}

build_path="${DOC_SAMPLES_BUILD_PATH:-.build}"
jobs="$(nproc 2>/dev/null || echo 2)"
self_test=0
files=()
while [ $# -gt 0 ]; do
    case "$1" in
        --build-path) [ $# -ge 2 ] || usage; build_path="$2"; shift 2 ;;
        --jobs) [ $# -ge 2 ] || usage; jobs="$2"; shift 2 ;;
        --self-test) self_test=1; shift ;;
        -h|--help) sed -n '2,16p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "check-doc-samples: unknown option $1" >&2; usage ;;
        *) files+=("$1"); shift ;;
    esac
done
case "$jobs" in ''|*[!0-9]*|0) echo "check-doc-samples: --jobs expects a whole number above 0, got '$jobs'" >&2; exit 2 ;; esac

# The folder holding FleetKit.swiftmodule: <build>/debug/Modules on SwiftPM 6,
# <build>/debug on older ones.
modules=""
for candidate in "$build_path/debug/Modules" "$build_path/debug"; do
    if [ -e "$candidate/FleetKit.swiftmodule" ]; then
        modules="$candidate"
        break
    fi
done
if [ -z "$modules" ]; then
    echo "check-doc-samples: no FleetKit.swiftmodule under $build_path/debug; build first (swift build --build-tests --scratch-path $build_path)" >&2
    exit 2
fi
for module in FleetKit FleetKitTesting ButlerKit GonkaKit; do
    if [ ! -e "$modules/$module.swiftmodule" ]; then
        echo "check-doc-samples: $modules/$module.swiftmodule is missing; build the library targets first (swift build --build-tests --scratch-path $build_path)" >&2
        exit 2
    fi
done
swiftc="${SWIFTC:-swiftc}"
module_cache="$build_path/debug/ModuleCache"
mkdir -p "$module_cache"
search=(-I "$modules")
# PackageDescription, for samples of a Package.swift, lives beside the toolchain's compiler.
if compiler="$(command -v "$swiftc")"; then
    manifest_api="$(dirname "$(readlink -f "$compiler" 2>/dev/null || echo "$compiler")")/../lib/swift/pm/ManifestAPI"
    if [ -d "$manifest_api" ]; then
        search+=(-I "$manifest_api")
    fi
fi

if [ "$self_test" = 1 ]; then
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    cat > "$scratch/broken.md" <<'EOF'
# A page with one good, one skipped and one broken sample

```swift
import FleetKit
let step = Step.shell("fine", check: "true", action: "true")
print(step.name)
```

```swift no-compile
this is not Swift
```

Some prose.

```swift
import FleetKit
let options: RunOptions = RunOptions(forks: "twenty")
```
EOF
    cat > "$scratch/empty.md" <<'EOF'
# No samples here

```sh
echo hi
```
EOF
    cat > "$scratch/good.md" <<'EOF'
```swift
import ButlerKit
import FleetKit
import FleetKitTesting
import Foundation

let inventory = try InventoryLoader.parse("ip\n192.0.2.1\n", file: "inline.csv", schema: AztecInventory.schema)
let sink = MemoryLogSink()
RunLog(sinks: [sink]).info("\(inventory.hosts.count) host")
print(sink.entries.count)
```
EOF
    failed=0
    if output="$(bash "$self" --build-path "$build_path" --jobs "$jobs" "$scratch/broken.md" 2>&1)"; then
        echo "check-doc-samples self-test: a file with a broken sample passed:" >&2
        echo "$output" >&2
        failed=1
    elif ! grep -q "broken.md:15: " <<<"$output" || ! grep -q "broken.md:17:.*error:" <<<"$output" \
        || grep -q "broken.md:3: " <<<"$output"; then
        echo "check-doc-samples self-test: the broken sample (fence on line 15, error on line 17) was not reported alone:" >&2
        echo "$output" >&2
        failed=1
    fi
    if output="$(bash "$self" --build-path "$build_path" --jobs "$jobs" "$scratch/empty.md" 2>&1)"; then
        echo "check-doc-samples self-test: a file without samples passed:" >&2
        echo "$output" >&2
        failed=1
    fi
    if ! output="$(bash "$self" --build-path "$build_path" --jobs "$jobs" "$scratch/good.md" 2>&1)"; then
        echo "check-doc-samples self-test: a good sample importing every library failed:" >&2
        echo "$output" >&2
        failed=1
    fi
    if [ "$failed" = 0 ]; then
        echo "check-doc-samples self-test: ok (broken sample fails, no samples fails, good sample passes)"
    fi
    exit "$failed"
fi

if [ ${#files[@]} -eq 0 ]; then
    files=(README.md docs/*.md)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Writes each block to $work/<n>/main.swift and one line per block to $work/blocks:
# "<n> <first code line> <file>". Fences are runs of 3+ backticks or tildes (up to three
# spaces of indentation); blocks inside other fences are not samples.
for file in "${files[@]}"; do
    if [ ! -r "$file" ]; then
        echo "check-doc-samples: cannot read $file" >&2
        exit 2
    fi
done
awk -v work="$work" '
    function fence_of(line,    m) {
        if (match(line, /^ ? ? ?(```+|~~~+)/)) {
            m = substr(line, RSTART, RLENGTH)
            sub(/^ +/, "", m)
            return m
        }
        return ""
    }
    FNR == 1 { inside = 0 }
    {
        if (!inside) {
            open = fence_of($0)
            if (open == "") next
            info = substr($0, index($0, open) + length(open))
            gsub(/^[ \t]+|[ \t]+$/, "", info)
            split(info, words, /[ \t]+/)
            inside = 1
            fence = open
            sample = 0
            if (words[1] == "swift") {
                skip = 0
                for (i in words) if (words[i] == "no-compile") skip = 1
                if (skip) {
                    printf "skip %d %s\n", FNR, FILENAME > (work "/skipped")
                } else {
                    count++
                    sample = 1
                    dir = work "/" count
                    system("mkdir -p \"" dir "\"")
                    out = dir "/main.swift"
                    printf "" > out
                    printf "%d %d %s\n", count, FNR + 1, FILENAME > (work "/blocks")
                }
            }
            next
        }
        line = $0
        sub(/[ \t]+$/, "", line)
        sub(/^ ? ? ?/, "", line)
        if (substr(line, 1, 1) == substr(fence, 1, 1) && length(line) >= length(fence) && line ~ /^(`+|~+)$/) {
            inside = 0
            if (sample) close(out)
            sample = 0
            next
        }
        if (sample) print > out
    }
    END { if (inside && sample) printf "unclosed %s\n", FILENAME > (work "/unclosed") }
' "${files[@]}"

if [ -s "$work/unclosed" ]; then
    echo "check-doc-samples: a swift block is not closed in $(cut -d' ' -f2- "$work/unclosed")" >&2
    exit 1
fi
total=0
if [ -s "$work/blocks" ]; then
    total="$(wc -l < "$work/blocks")"
fi
skipped=0
if [ -s "$work/skipped" ]; then
    skipped="$(wc -l < "$work/skipped")"
fi
if [ "$total" -eq 0 ]; then
    echo "check-doc-samples: no swift blocks found in ${files[*]}; expected at least one (is the extraction broken?)" >&2
    exit 1
fi

typecheck() {
    local dir="$1" manifest=() first
    # A Package.swift sample is checked against the PackageDescription of its tools version.
    first="$(head -n 1 "$dir/main.swift")"
    if [[ "$first" =~ ^//\ *swift-tools-version:\ *([0-9.]+) ]]; then
        manifest=(-package-description-version "${BASH_REMATCH[1]}")
    fi
    if "$swiftc" -typecheck -swift-version 6 -warnings-as-errors -diagnostic-style llvm "${search[@]}" "${manifest[@]}" \
        -module-cache-path "$module_cache" "$dir/main.swift" < /dev/null > "$dir/output" 2>&1; then
        echo 0 > "$dir/status"
    else
        echo 1 > "$dir/status"
    fi
}

running=0
while read -r number _ _; do
    typecheck "$work/$number" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done < "$work/blocks"
wait

failures=0
while read -r number start file; do
    dir="$work/$number"
    if [ "$(cat "$dir/status" 2>/dev/null || echo 1)" != 0 ]; then
        failures=$((failures + 1))
        echo "check-doc-samples: FAILED $file:$((start - 1)): the swift block starting here does not type-check:" >&2
        # Compiler positions point into the markdown file rather than the temporary main.swift.
        awk -v path="$dir/main.swift" -v file="$file" -v offset="$((start - 1))" '
            {
                while ((at = index($0, path ":")) > 0) {
                    rest = substr($0, at + length(path) + 1)
                    if (match(rest, /^[0-9]+/)) {
                        $0 = substr($0, 1, at - 1) file ":" (substr(rest, 1, RLENGTH) + offset) substr(rest, RLENGTH + 1)
                    } else {
                        $0 = substr($0, 1, at - 1) file ":" rest
                    }
                }
                print "    " $0
            }' "$dir/output" >&2
    fi
done < "$work/blocks"

checked="$total swift block$([ "$total" = 1 ] || echo s) in ${#files[@]} file$([ "${#files[@]}" = 1 ] || echo s)"
if [ "$failures" -gt 0 ]; then
    echo "check-doc-samples: $failures of $checked failed to type-check ($skipped marked no-compile)" >&2
    exit 1
fi
echo "check-doc-samples: $checked type-check ($skipped marked no-compile)"
