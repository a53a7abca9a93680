import Foundation

/// One of `count` slices of a batch of sessions, for grading thousands of them on as many
/// machines (a Kubernetes Indexed Job passes its completion index): shard `index` takes every
/// `count`-th session of the sorted list, starting at the `index`-th. Sorting first means every
/// machine agrees on the slices whatever order its shell listed the files in.
public struct GradeShard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    /// Reads `I/N` with 0 <= I < N, as `--shard` takes it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw TrainingError("--shard takes INDEX/COUNT, such as 0/4 (got '\(text)')")
        }
        guard count >= 1, (0..<count).contains(index) else {
            throw TrainingError("--shard \(text): the index counts from 0 and is less than the count, such as 0/\(max(count, 1)) to \(max(count, 1) - 1)/\(max(count, 1))")
        }
        self.index = index
        self.count = count
    }

    public func select(_ paths: [String]) -> [String] {
        paths.sorted().enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}

/// Joins the JSON lines shards wrote (`grade --format jsonl`) into the grades of the whole batch,
/// in the order grading them all at once (sorted) gives.
public enum GradeMerge {
    public static func merge(files: [String]) throws -> [SessionGrade] {
        var grades: [SessionGrade] = []
        var seen: [String: String] = [:]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw TrainingError("cannot read shard '\(file)'") }
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
                let grade: SessionGrade
                do {
                    grade = try SessionJSON.decoder().decode(SessionGrade.self, from: Data(line.utf8))
                } catch {
                    throw TrainingError("'\(file)' line \(number + 1) is not a grade written by `grade --format jsonl`")
                }
                if let other = seen[grade.session] {
                    throw TrainingError("session '\(grade.session)' is in two shards, '\(other)' and '\(file)'; merge each shard once")
                }
                seen[grade.session] = file
                grades.append(grade)
            }
        }
        return grades.sorted { $0.session < $1.session }
    }
}

/// `jsonl`: one grade per line as grading found it (not marked for display), so `grade --merge`
/// can render the whole batch in any format as if it had been graded at once.
enum JSONLinesGradeReport {
    static func render(_ grades: [SessionGrade]) -> String {
        grades.map { String(decoding: try! SessionJSON.line($0), as: UTF8.self) }.joined()
    }
}
