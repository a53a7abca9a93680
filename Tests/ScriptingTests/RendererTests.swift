import Foundation
import Testing
@testable import Scripting

/// How results look at the prompt: readable, bounded, and the same on every run.
@Suite struct RendererTests {
    func render(_ chunk: String, options: RenderOptions = RenderOptions(), instructions: Int64 = 50_000_000) throws -> String {
        let core = ReplCore(runtime: try makeRuntime(instructions: instructions))
        core.renderOptions = options
        let outcome = core.evaluateOutcome(chunk)
        #expect(!outcome.failed, "\(outcome.error ?? "")")
        return outcome.text
    }

    @Test func keysAreSortedNumbersThenStringsThenBooleans() throws {
        #expect(try render("return {zeta = 1, alpha = 2, [10] = 'ten', [2.5] = 'x', [true] = 'yes', 'first'}")
                == "{ \"first\", [2.5] = \"x\", [10] = \"ten\", alpha = 2, zeta = 1, [true] = \"yes\" }")
        #expect(try render("return {['with space'] = 1, ['end'] = 2}") == "{ [\"end\"] = 2, [\"with space\"] = 1 }",
                "keys that are not identifiers are bracketed and quoted")
    }

    @Test func cyclesAreMarkedButSharedTablesAreNot() throws {
        #expect(try render("local a = {} a.child = {parent = a} return a") == "{ child = { parent = <cycle> } }")
        #expect(try render("local shared = {1} return {shared, shared}") == "{ { 1 }, { 1 } }",
                "a table seen twice side by side is not a cycle")
    }

    @Test func depthIsLimited() throws {
        let nested = "return {a = {b = {c = {d = 1}}}}"
        #expect(try render(nested, options: RenderOptions(maximumDepth: 2)) == "{ a = { b = {...} } }")
        #expect(try render(nested) == "{ a = { b = { c = { d = 1 } } } }")
    }

    @Test func aHugeSequenceShowsItsStartAndCountsTheRest() throws {
        let started = Date()
        let text = try render("local t = {} for i = 1, 1000000 do t[i] = i end return t")
        #expect(Date().timeIntervalSince(started) < 10, "rendering must not walk a million entries slowly")
        #expect(text.hasPrefix("{\n  1,\n  2,"))
        #expect(text.contains("  100,\n  … (999900 more)\n}"))
    }

    @Test func aHugeMapShowsTheSameFirstKeysOnEveryRun() throws {
        // Lua seeds its string hash per state, so the hash order differs between these two; what is
        // shown must not.
        let chunk = "local t = {} for i = 0, 9999 do t[string.format('k%05d', i)] = i end return t"
        let first = try render(chunk), second = try render(chunk)
        #expect(first == second)
        #expect(first.hasPrefix("{\n  k00000 = 0,\n  k00001 = 1,"))
        #expect(first.contains("  k00099 = 99,\n  … (9900 more)\n}"))
        #expect(!first.contains("k00100"))
    }

    @Test func theItemLimitCoversTheSequenceAndTheKeysTogether() throws {
        let chunk = "local t = {} for i = 1, 8 do t[i] = i end t.b = 'b' t.a = 'a' t.c = 'c' return t"
        #expect(try render(chunk, options: RenderOptions(maximumItems: 10))
                == "{ 1, 2, 3, 4, 5, 6, 7, 8, a = \"a\", b = \"b\", … (1 more) }")
    }

    @Test func longStringsInsideTablesAreCut() throws {
        let text = try render("return {log = string.rep('x', 500)}")
        #expect(text == "{\n  log = \"" + String(repeating: "x", count: 200) + "\"… (500 bytes)\n}")
        #expect(try render("return string.rep('y', 500)") == String(repeating: "y", count: 500),
                "a string on its own is command output and is shown whole")
    }

    @Test func tablesAndFunctionsAsKeysAreShown() throws {
        // Functions show as tostring names them: by identity (a sequence number), not address.
        let text = try render("local key = {'node-1'} return {[key] = 'v', [print] = 'p'}")
        #expect(text.hasPrefix("{ [function: 0x") && text.hasSuffix("] = \"p\", [{ \"node-1\" }] = \"v\" }"), "\(text)")
    }

    @Test func wideTablesAreLaidOutOneEntryPerLine() throws {
        let text = try render("return {name = 'payments-7d9f-abcde', namespace = 'payments', phase = 'Running', node = 'node-1', restarts = 3}")
        #expect(text == """
        {
          name = "payments-7d9f-abcde",
          namespace = "payments",
          node = "node-1",
          phase = "Running",
          restarts = 3
        }
        """)
    }
}
