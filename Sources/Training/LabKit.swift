import Foundation
import Scripting
import Simulation

/// `labkit`: Lua helpers for graders and a lab's checks, over the world's audit log
/// (`history.actions` and `history.reads` in a grader, `session.actions()` and `session.reads()`
/// in lab code). Every lab and grader gets its own copy as the global `labkit`.
///
/// The helpers take the record lists as arguments and use nothing but the standard library.
/// labkit stays here, a global of every lab environment, rather than in `Labs/lib`: its kind
/// aliases come from the Kubernetes model, and a lab that needs nothing but labkit keeps its
/// fingerprint. What labs share beyond it goes in `Labs/lib/` (`require`, see `LabModules`).
enum LabKit {
    /// The Kubernetes names a filter's `kind` may use, each mapped to the API's plural, which is
    /// what records carry: `ep`, `endpoint` and `Endpoints` all mean `endpoints`.
    static var kindAliases: String {
        var entries: [String] = []
        for resource in Resource.allCases {
            let names = [resource.rawValue, resource.kind.lowercased(), resource.kind, resource.qualifiedName,
                         resource.singularQualifiedName] + resource.shortNames
            for name in Set(names).sorted() { entries.append("[\(LuaValue.quote(name))] = \(LuaValue.quote(resource.rawValue))") }
        }
        return "{ " + entries.joined(separator: ", ") + " }"
    }

    /// `help("labkit")` and `help("labkit.NAME")`: the module's opening comment, and each
    /// helper's `---` comment with its signature, read from `source`, so the help and the code
    /// cannot drift apart. labkit lives in lab code and graders; its help is in every lab's
    /// REPL, where an author tries their lab.
    public static func document(in runtime: ScriptRuntime) {
        for topic in topics { runtime.document(topic.name, usage: topic.usage, topic.summary, details: topic.details) }
    }

    static var topics: [Topic] {
        var topics: [Topic] = []
        var moduleComment: [String] = [], comment: [String] = []
        var inHeader = true
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if inHeader, line.hasPrefix("-- ") || line == "--" {
                moduleComment.append(String(line.dropFirst(3)))
                continue
            }
            inHeader = false
            if line.hasPrefix("---") {
                comment.append(line.dropFirst(3).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("function labkit."), let open = line.firstIndex(of: "(") {
                let name = String(line[line.index(line.startIndex, offsetBy: "function ".count)..<open])
                let usage = String(line.dropFirst("function ".count))
                topics.append(topic(name: name, usage: usage, comment: comment.joined(separator: " ")))
                comment = []
            } else {
                comment = []
            }
        }
        let module = Topic(name: "labkit", usage: "labkit",
                           summary: "helpers over the audit log and a session's history, for lab.lua and grade.lua (not the trainee)",
                           details: moduleComment.joined(separator: "\n"))
        return [module] + topics
    }

    /// A topic whose summary is the comment's first sentence and whose details are the rest.
    private static func topic(name: String, usage: String, comment: String) -> Topic {
        guard let end = comment.range(of: ". ") else { return Topic(name: name, usage: usage, summary: comment) }
        return Topic(name: name, usage: usage, summary: String(comment[..<end.lowerBound]) + ".",
                     details: String(comment[end.upperBound...]))
    }

    static var source: String {
        """
        -- labkit: helpers over the world's audit log. A record is a table:
        --   action {seq, t, clock, command, verb, kind, namespace, name, host, via, outcome, reason, api_verb}
        --   read   {seq, t, clock, command, verb, kind, namespace, name, host, via, findings}
        -- A filter is a function(record) returning true, or a table of fields a record must match:
        -- each field's value is one value, a list of values (any of them), or a function(value)
        -- returning true. Besides the record's own fields: since / till (t at or after / at or
        -- before, in seconds), after / before (a record or a seq: strictly after or before it).
        local labkit = {}
        local ipairs, pairs, type, table, string = ipairs, pairs, type, table, string

        labkit.kind_aliases = \(kindAliases)

        local function kind_of(value)
          if type(value) == "string" then return labkit.kind_aliases[value] or value end
          return value
        end

        local function seq_of(moment)
          if type(moment) == "table" then return moment.seq end
          return moment
        end

        local function field_matches(expected, actual, field)
          if type(expected) == "function" then return expected(actual) and true or false end
          if type(expected) == "table" then
            for _, one in ipairs(expected) do
              if field_matches(one, actual, field) then return true end
            end
            return false
          end
          if field == "kind" then return kind_of(expected) == actual end
          return expected == actual
        end

        --- Whether `record` matches `filter` (nil matches everything).
        function labkit.matches(record, filter)
          if type(filter) == "function" then return filter(record) and true or false end
          for field, expected in pairs(filter or {}) do
            if field == "since" then
              if record.t < expected then return false end
            elseif field == "till" then
              if record.t > expected then return false end
            elseif field == "after" then
              local seq = seq_of(expected)
              if seq and record.seq <= seq then return false end
            elseif field == "before" then
              local seq = seq_of(expected)
              if seq and record.seq >= seq then return false end
            elseif not field_matches(expected, record[field], field) then
              return false
            end
          end
          return true
        end

        --- The records that match, in the order they happened.
        function labkit.select(records, filter)
          local found = {}
          for _, record in ipairs(records) do
            if labkit.matches(record, filter) then found[#found + 1] = record end
          end
          return found
        end

        --- The first record that matches ("the first restart"), or nil.
        function labkit.first(records, filter)
          for _, record in ipairs(records) do
            if labkit.matches(record, filter) then return record end
          end
          return nil
        end

        --- The last record that matches, or nil.
        function labkit.last(records, filter)
          for index = #records, 1, -1 do
            if labkit.matches(records[index], filter) then return records[index] end
          end
          return nil
        end

        --- How many records match.
        function labkit.count(records, filter)
          return #labkit.select(records, filter)
        end

        --- The first read matching `filter` that came before `moment` (an action; nil: at any
        --- time): "looked at the routes before the first restart". A read in the same command as
        --- the action, at the same moment, does not count: the command acted before anyone could
        --- see what it read (a loop over mesh.proxies() that restarts each one looked at nothing).
        function labkit.looked_before(reads, filter, moment)
          for _, read in ipairs(reads) do
            if moment and read.seq >= moment.seq then return nil end
            local seen = not moment or read.command ~= moment.command or read.t < moment.t
            if seen and labkit.matches(read, filter) then return read end
          end
          return nil
        end

        --- Why a status update would not help a customer, or nil when it would: it has to say
        --- something in words (what is affected, what you are doing), not a dot or a word or two.
        function labkit.status_problem(text)
          local words = 0
          for _ in string.gmatch(text, "%a%a+") do words = words + 1 end
          if words < 6 then
            return "it is too short to tell a customer anything: say what is affected and what you are doing about it"
          end
          return nil
        end

        --- Which of `names` a matching action was done to, by `field` ("name", "host", ...):
        --- "restarted each of master-1, master-2, master-3". Returns the names done and the names
        --- missing, each in the order given.
        function labkit.did_each(actions, filter, field, names)
          local seen = {}
          for _, action in ipairs(labkit.select(actions, filter)) do seen[action[field]] = true end
          local done, missing = {}, {}
          for _, name in ipairs(names) do
            if seen[name] then done[#done + 1] = name else missing[#missing + 1] = name end
          end
          return done, missing
        end

        --- The distinct values of `field` among the records, sorted.
        function labkit.values(records, field)
          local seen, values = {}, {}
          for _, record in ipairs(records) do
            local value = record[field]
            if value ~= nil and not seen[value] then seen[value] = true; values[#values + 1] = value end
          end
          table.sort(values)
          return values
        end

        --- The value a gauge's series held at time `t` (the last change at or before it), or
        --- `initial` when `t` comes before its first point: "how many hosts were up at 09:05".
        --- A series is a list of {t, v} changes, like history.series.hosts_up.
        function labkit.value_at(series, t, initial)
          local value = initial
          for _, point in ipairs(series) do
            if point.t > t then break end
            value = point.v
          end
          return value
        end

        --- When a series first held a value that `test(v)` accepts, at or after `since` (seconds;
        --- nil: from its first point), or nil: "when the first host went down".
        function labkit.first_time(series, test, since)
          for _, point in ipairs(series) do
            if (not since or point.t >= since) and test(point.v) then return point.t end
          end
          return nil
        end

        --- An outage in a series: when it first held a value `bad(v)` accepts (at or after
        --- `since`), and when it next held one it does not (nil while it never recovered).
        --- Returns began, ended; both nil when nothing went wrong.
        function labkit.outage(series, bad, since)
          local began = labkit.first_time(series, bad, since)
          if not began then return nil, nil end
          for _, point in ipairs(series) do
            if point.t > began and not bad(point.v) then return began, point.t end
          end
          return began, nil
        end

        --- Time to mitigate: seconds from the start of the first outage in a series (see
        --- labkit.outage) to its end, then began and ended. Nil seconds when it never ended (or
        --- never began: then began is nil too).
        function labkit.time_to_mitigate(series, bad, since)
          local began, ended = labkit.outage(series, bad, since)
          if began and ended then return ended - began, began, ended end
          return nil, began, ended
        end

        --- Blast radius as lost requests: the requests that failed between `from` and `to`
        --- (seconds), from a success series (history.series.success_card_payments: 0..1) and a
        --- rate in requests per second (a number, or a series of rates). Success before the
        --- series' first point counts as 1.
        function labkit.lost_requests(success, rate, from, to)
          local moments = { from }
          for _, point in ipairs(success) do
            if point.t > from and point.t < to then moments[#moments + 1] = point.t end
          end
          if type(rate) == "table" then
            for _, point in ipairs(rate) do
              if point.t > from and point.t < to then moments[#moments + 1] = point.t end
            end
          end
          table.sort(moments)
          moments[#moments + 1] = to
          local lost = 0
          for index = 1, #moments - 1 do
            local t, next_t = moments[index], moments[index + 1]
            local per_second = rate
            if type(rate) == "table" then per_second = labkit.value_at(rate, t, 0) end
            lost = lost + (1 - labkit.value_at(success, t, 1)) * per_second * (next_t - t)
          end
          return lost
        end

        --- The real kubectl's invocations among session.commands: its requests (source "api")
        --- grouped by the Kubectl-Session header each kubectl run sends (by user agent when it
        --- sent none), consecutive requests of one run together. Each group is
        --- {command = "kubectl get", session, user_agent, t, clock, requests = {...}}.
        function labkit.kubectl_invocations(commands)
          local groups, last = {}, nil
          for _, command in ipairs(commands) do
            if command.source == "api" then
              local key = command.kubectl_session or command.user_agent
              if not last or last.key ~= key then
                last = { key = key, command = command.kubectl_command, session = command.kubectl_session,
                         user_agent = command.user_agent, t = command.t, clock = command.clock, requests = {} }
                groups[#groups + 1] = last
              end
              last.requests[#last.requests + 1] = command
            end
          end
          for _, group in ipairs(groups) do group.key = nil end
          return groups
        end

        return labkit
        """
    }
}
