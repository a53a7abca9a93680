import Foundation
import Scripting
import Simulation

/// `firedrill lab new ID --scenario NAME`: a lab folder that runs and grades at once, for an
/// author to edit into their own incident. One inject (a zone drops off the network), one step
/// (heal it), a rubric of three checks judged from the world and the audit log, a briefing, an
/// empty `solutions/`, and two policies that prove the grader (`lab check` plays them): one that
/// looks, heals and tells customers, and one that does nothing.
public enum LabScaffold {
    /// Writes the lab `id` into `labs/id`; returns the files written, relative to the labs folder.
    @discardableResult
    public static func create(id: String, scenario: String, in labs: URL, displayDirectory: String) throws -> [String] {
        if let problem = idProblem(id) { throw TrainingError(problem) }
        guard let platform = ScenarioCatalog.named(scenario) else {
            throw TrainingError("no scenario '\(scenario)'; the scenarios are: \(ScenarioCatalog.names.filter { $0 != "empty" }.joined(separator: ", ")) (see firedrill scenarios)")
        }
        guard platform.name != "empty" else {
            throw TrainingError("the 'empty' scenario has no hosts to break; start from practice, mini-bank or bank")
        }
        let folder = labs.appendingPathComponent(id)
        let display = (displayDirectory == "." ? "" : displayDirectory + "/") + id
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw TrainingError("\(display) already exists: lab new never overwrites; pick another id or remove the folder")
        }
        let files: [(String, String)] = [
            ("lab.lua", labSource(id: id, scenario: platform.name)),
            ("grade.lua", graderSource(id: id)),
            ("README.md", readme(id: id)),
            ("solutions/.keep", ""),
            ("policies/careful.lua", carefulPolicy),
            ("policies/idle.lua", idlePolicy),
        ]
        do {
            try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
            for (name, text) in files {
                let url = folder.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .withoutOverwriting)
            }
        } catch {
            throw TrainingError("cannot write \(display): \(error.localizedDescription)")
        }
        return files.map { display + "/" + $0.0 }
    }

    /// Why `id` cannot name a lab folder, or nil: lower-case words joined by dashes, as the
    /// shipped labs are named, and not a word `firedrill lab` takes for itself.
    static func idProblem(_ id: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard !id.isEmpty, id.count <= 64, id.allSatisfy(allowed.contains), id.first != "-", id.last != "-" else {
            return "'\(id)' cannot name a lab: use lower-case letters, digits and dashes (db-failover, etcd-2019)"
        }
        if ["new", "check", "start", "lib"].contains(id) {
            return "'\(id)' cannot name a lab: firedrill lab \(id) means something else; pick another id"
        }
        return nil
    }

    static func title(_ id: String) -> String {
        let words = id.split(separator: "-").map(String.init)
        guard let first = words.first else { return id }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
    }

    static func labSource(id: String, scenario: String) -> String {
        """
        -- \(id): made by `firedrill lab new`. It runs and grades as it is: one inject (a zone drops
        -- off the network), one step (heal it) and, in grade.lua, a rubric. Edit it into your own
        -- incident, then `firedrill lab check \(id)`. README.md ("Writing a lab") explains each field.

        local paged_at = nil -- simulated seconds when the zone dropped off, once it has

        return {
          id = "\(id)",
          title = "\(title(id))",
          summary = "A zone drops off the network two minutes in. Find the fault, heal it, tell your customers.",
          difficulty = "beginner",
          minutes = 10,

          scenario = { name = "\(scenario)", seed = 1 },
          -- Time follows the wall clock; sim.advance may skip up to five minutes at a time.
          -- Grading judges the world fifteen minutes after arrival.
          time = { speed = 1, advance = "5m", grade_at = "+15m" },

          injects = {
            {
              name = "zone outage",
              at = "+2m",
              run = function(world)
                world.faults.partition{ "eu-west-1c" }
                paged_at = world.sim.now()
              end,
              notice = "PAGE: the hosts in eu-west-1c stopped answering the rest of the platform.",
            },
          },

          steps = {
            {
              title = "Heal the network",
              briefing = [[
        Two minutes in, something breaks (sim.advance("2m") if you would rather not wait). Find out
        what before you touch anything (faults.active()), heal it, and post a status update.]],
              hints = { "faults.active() lists partitions and clogs.", "faults.heal() removes them." },
              done = function(world)
                if not paged_at then return false, "nothing has broken yet: the page comes two minutes in" end
                return #world.faults.active() == 0, "a fault is still in force"
              end,
            },
          },
        }

        """
    }

    static func graderSource(id: String) -> String {
        """
        -- The rubric for \(id): the world when grading judges it, and what the trainee did and
        -- looked at (history.actions and history.reads, the world's audit log), never the words
        -- of a command. labkit's helpers are documented by help("labkit") in a lab's REPL.

        -- When the partition began and ended, from the faults_active gauge.
        local function outage(history)
          return labkit.outage(history.series.faults_active, function(v) return v > 0 end)
        end

        return {
          checks = {
            {
              name = "Healed",
              points = 6,
              check = function(world)
                return #world.faults.active() == 0
              end,
              pass = "The zone is back on the network.",
              fail = "The zone was still cut off: faults.heal() removes the partition.",
            },
            {
              name = "Looked before acting",
              points = 2,
              check = function(world, session, history)
                local began = outage(history)
                if not began then return false, "The outage never began: was the session shorter than two minutes?" end
                local heal = labkit.first(history.actions, { verb = "heal", since = began })
                local looked = labkit.looked_before(history.reads, { kind = "faults", since = began }, heal)
                if looked and heal then return true, "You looked at faults.active() at " .. looked.clock .. " before healing." end
                return false, "Look before you act: faults.active() would have shown the partition."
              end,
            },
            {
              name = "Customers told",
              points = 2,
              check = function(world, session)
                local post = session.status_posts[1]
                if not post then return false, "No status update: customers were left guessing." end
                local problem = labkit.status_problem(post.text)
                if problem then return false, "The status update at " .. post.clock .. " does not count: " .. problem .. "." end
                return true, "You told customers at " .. post.clock .. "."
              end,
            },
          },
        }

        """
    }

    static func readme(id: String) -> String {
        """
        # \(title(id))

        You are on call. Two minutes after you arrive, a zone drops off the network.

        Find out what is wrong before you touch anything, put it right, and tell your customers
        what happened with `status_page("...")`. `lab.status()` shows where you are, `hint()` gives
        a hint, `check()` checks the current step now.

        """
    }

    static let carefulPolicy = """
        -- score = 10
        -- A careful on-call engineer: waits for the page, looks first (a command of its own: a
        -- look in the same command as the deed does not count), heals, tells customers.
        sim.advance("2m30s")
        broken = #faults.active() > 0
        if broken then faults.heal() end
        if broken then status_page("A network partition cut off eu-west-1c for a few minutes; it is healed and everything is back.") end

        """

    static let idlePolicy = """
        -- score = 0
        -- Walks away: grading still judges the world at the lab's grade_at, with the zone cut off.
        sim.advance("3m")

        """
}
