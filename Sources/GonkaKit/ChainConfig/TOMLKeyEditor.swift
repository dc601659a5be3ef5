/// Sets keys in a TOML file while leaving every other byte as it was: comments, order,
/// blank lines, spacing, quoting of other values.
///
/// A key that exists has only its value replaced (the spacing around `=` and a trailing
/// comment stay); a value that already reads as the one to set is left byte for byte. A
/// missing key is added after the last key of its table, with that key's indentation; a
/// missing table is added at the end. Keys inside arrays of tables (`[[…]]`) are never
/// touched. Applying the same edits twice changes nothing the second time.
public enum TOMLKeyEditor {
    /// Applies `edits` in order to `text`. Throws when the text is not TOML the editor can
    /// follow (an unclosed string or array, a line that is neither a header nor a key/value pair).
    public static func apply(_ edits: [TOMLKeyEdit], to text: String) throws(TOMLEditError) -> TOMLEditResult {
        var scalars = Array(text.unicodeScalars)
        let lineBreak: [Unicode.Scalar] = text.contains("\r\n") ? ["\r", "\n"] : ["\n"]
        var changes: [TOMLKeyChange] = []
        for edit in edits {
            let layout = try TOMLLayout(scalars)
            let action = apply(edit, layout: layout, to: &scalars, lineBreak: lineBreak)
            changes.append(TOMLKeyChange(edit: edit, action: action))
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return TOMLEditResult(text: result, changes: changes)
    }

    /// The value text of the key at `path` (table parts, then the key), as written: `true`,
    /// `"abc"` with its quotes, `1999000`; `nil` when the key is not set outside arrays of tables.
    public static func valueText(at path: [String], in text: String) throws(TOMLEditError) -> String? {
        let layout = try TOMLLayout(Array(text.unicodeScalars))
        guard let entry = layout.entries.last(where: { !$0.inArrayOfTables && $0.table + $0.key == path }) else { return nil }
        var value = ""
        value.unicodeScalars.append(contentsOf: layout.scalars[entry.valueStart..<entry.valueEnd])
        return value
    }

    private static func apply(_ edit: TOMLKeyEdit, layout: TOMLLayout, to scalars: inout [Unicode.Scalar],
                              lineBreak: [Unicode.Scalar]) -> TOMLKeyChange.Action {
        let target = edit.table + [edit.key]
        let matches = layout.entries.filter { !$0.inArrayOfTables && $0.table + $0.key == target }
        let rendered = Array(edit.value.description.unicodeScalars)
        if !matches.isEmpty {
            var action = TOMLKeyChange.Action.kept
            // From the last, so earlier offsets stay valid.
            for entry in matches.reversed() {
                let old = String(String.UnicodeScalarView(scalars[entry.valueStart..<entry.valueEnd]))
                if TOMLLayout.scalarValue(old) == edit.value { continue }
                scalars.replaceSubrange(entry.valueStart..<entry.valueEnd, with: rendered)
                action = .replaced
            }
            return action
        }
        let line = keyText(edit.key) + Array(" = ".unicodeScalars) + rendered
        insert(line, for: edit.table, layout: layout, into: &scalars, lineBreak: lineBreak)
        return .inserted
    }

    /// Adds `line` to `table`: after its last pair, else after its header, else as a new table at the end.
    private static func insert(_ line: [Unicode.Scalar], for table: [String], layout: TOMLLayout,
                               into scalars: inout [Unicode.Scalar], lineBreak: [Unicode.Scalar]) {
        let headers = layout.headers
        let regionStart: Int
        let regionEnd: Int
        if table.isEmpty {
            regionStart = 0
            regionEnd = headers.first?.lineStart ?? scalars.count
        } else if let index = headers.firstIndex(where: { !$0.isArrayOfTables && $0.path == table }) {
            regionStart = headers[index].lineEnd
            regionEnd = index + 1 < headers.count ? headers[index + 1].lineStart : scalars.count
        } else {
            var addition: [Unicode.Scalar] = []
            if let last = scalars.last, last != "\n" { addition += lineBreak }
            if !scalars.isEmpty { addition += lineBreak }
            let header = table.map { String(String.UnicodeScalarView(keyText($0))) }.joined(separator: ".")
            addition += Array("[\(header)]".unicodeScalars) + lineBreak + line + lineBreak
            scalars += addition
            return
        }
        let pairs = layout.entries.filter { $0.lineStart >= regionStart && $0.lineStart < regionEnd }
        if let last = pairs.last {
            let indentation = scalars[last.lineStart..<last.valueStart].prefix { $0 == " " || $0 == "\t" }
            var addition: [Unicode.Scalar] = []
            if last.lineEnd == scalars.count, scalars.last != "\n" { addition += lineBreak }
            addition += Array(indentation) + line + lineBreak
            scalars.insert(contentsOf: addition, at: last.lineEnd)
        } else if table.isEmpty {
            let at = topLevelInsertionPoint(scalars, before: regionEnd)
            scalars.insert(contentsOf: line + lineBreak + (at < scalars.count ? lineBreak : []), at: at)
        } else {
            scalars.insert(contentsOf: line + lineBreak, at: regionStart)
        }
    }

    /// Where a first top-level key goes: above the comment lines that introduce the first header.
    private static func topLevelInsertionPoint(_ scalars: [Unicode.Scalar], before headerStart: Int) -> Int {
        var point = headerStart
        while point > 0 {
            var lineStart = point - 1
            while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
            let content = scalars[lineStart..<point].drop { $0 == " " || $0 == "\t" }
            guard content.first == "#" else { break }
            point = lineStart
        }
        return point
    }

    /// A key as TOML text: bare when it can be, else a basic string.
    private static func keyText(_ key: String) -> [Unicode.Scalar] {
        if !key.isEmpty && key.unicodeScalars.allSatisfy(TOMLLayout.isBareKeyScalar) { return Array(key.unicodeScalars) }
        return Array(TOMLValue.basicString(key).unicodeScalars)
    }
}
