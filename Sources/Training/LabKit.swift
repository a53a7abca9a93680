import Scripting
import Simulation

/// `labkit`: Lua helpers for graders and a lab's checks, over the world's audit log
/// (`history.actions` and `history.reads` in a grader, `session.actions()` and `session.reads()`
/// in lab code). Every lab and grader gets its own copy as the global `labkit`.
///
/// The helpers take the record lists as arguments and use nothing but the standard library, so
/// the source moves as it is to `Labs/lib/labkit.lua` once labs can `require`.
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

        return labkit
        """
    }
}
