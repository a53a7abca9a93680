import ArgumentParser
import Foundation
import Training

struct LabsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labs",
        abstract: "List the labs: id, title, difficulty and minutes.",
        discussion: "A lab folder that does not load is reported with the file, line and field at fault, and the exit status is non-zero."
    )

    @OptionGroup var location: LabsLocation

    func run() throws {
        let catalog = try location.catalog()
        print(LabsTable.render(catalog.labs))
        for failure in catalog.failures { FileHandle.standardError.write(Data("error: \(failure)\n".utf8)) }
        if !catalog.failures.isEmpty { throw ExitCode(1) }
    }
}

/// The labs as a table, and how to start one.
enum LabsTable {
    /// Easiest first, so the list reads as a path through the labs and the suggestion is one a
    /// newcomer can start with.
    static func render(_ labs: [Lab]) -> String {
        guard !labs.isEmpty else { return "No labs yet." }
        let order = LabDifficulty.allCases
        let labs = labs.sorted {
            let (left, right) = (order.firstIndex(of: $0.difficulty)!, order.firstIndex(of: $1.difficulty)!)
            return left != right ? left < right : $0.id < $1.id
        }
        let rows = [["id", "title", "difficulty", "minutes"]] + labs.map { [$0.id, $0.title, $0.difficulty.rawValue, String($0.minutes)] }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max()! + 2 }
        var lines = rows.map { row in
            row.enumerated().map { column, text in
                column == 3 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined()
        }
        lines += ["", "Start one with: firedrill lab \(labs[0].id)"]
        return lines.joined(separator: "\n")
    }
}

extension Firedrill {
    /// `firedrill` alone: the labs and how to start one, rather than a page of usage.
    func run() throws {
        print("Firedrill \(FiredrillVersion.current): incident training on a simulated platform you drive from Lua.\n")
        let location = try LabsLocation.parse([])
        if let directory = location.locate(), LabCatalog.isDirectory(directory) {
            print(LabsTable.render((try? location.catalog().labs) ?? []))
        } else {
            print("No Labs folder found (pass --labs DIR to the lab commands, or set FIREDRILL_LABS).")
        }
        print("""

        Grade a session:  firedrill grade SESSION.jsonl
        A plain REPL:     firedrill repl
        Everything else:  firedrill --help
        """)
    }
}
