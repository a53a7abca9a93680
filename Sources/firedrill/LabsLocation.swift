import ArgumentParser
import Foundation
import Training

/// `--labs DIR`, shared by every command that needs the labs, and how the folder is found
/// without it: `$FIREDRILL_LABS`, `./Labs`, or the `Labs` folder of the checkout firedrill was
/// built in.
struct LabsLocation: ParsableArguments {
    @Option(help: ArgumentHelp("The folder of labs (default: $FIREDRILL_LABS, ./Labs, or the checkout's Labs).", valueName: "dir"))
    var labs: String?

    var currentDirectory: URL { URL(fileURLWithPath: FileManager.default.currentDirectoryPath) }

    /// The labs folder, or nil when there is none to be found.
    func locate() -> URL? {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return LabCatalog.locate(explicit: labs, environment: ProcessInfo.processInfo.environment,
                                 currentDirectory: currentDirectory, executable: executable)
    }

    func catalog() throws -> LabCatalog {
        guard let directory = locate(), LabCatalog.isDirectory(directory) else {
            if let labs { throw fail("the labs folder '\(labs)' does not exist") }
            throw fail("no Labs folder found: looked in ./Labs and next to the firedrill executable; pass --labs DIR or set FIREDRILL_LABS")
        }
        do {
            return try LabCatalog.load(directory: directory, displayDirectory: LabCatalog.display(directory, currentDirectory: currentDirectory))
        } catch {
            throw fail("\(error)")
        }
    }

    /// The lab named by `name`: an id in the catalog, or the path of a lab folder of one's own.
    func lab(_ name: String) throws -> Lab {
        let folder = URL(fileURLWithPath: name, relativeTo: currentDirectory).standardizedFileURL
        if name.contains("/"), FileManager.default.fileExists(atPath: folder.appendingPathComponent("lab.lua").path) {
            do {
                return try LabLoader.load(directory: folder, displayDirectory: name.hasSuffix("/") ? String(name.dropLast()) : name)
            } catch {
                throw fail("\(error)")
            }
        }
        do {
            return try catalog().requireLab(name)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail("\(error)")
        }
    }
}
