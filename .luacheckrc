-- luacheck's view of Firedrill's Lua: which globals each kind of file has. `firedrill lab check`
-- lints one lab with it, and the test suite lints every lab (LuaLintTests).
--   lab      lab.lua, grade.lua and the modules they require (Labs/lib/, a lab's own .lua files):
--            the platform's modules (also reachable as world.NAME), labkit and require
--   policy   Labs/*/policies/*.lua: a drill that plays a lab as its trainee, so it also has the
--            lab's REPL words (lab, hint, check, status_page)
--   drill    scripts for `firedrill run` and the tests' Lua: the platform's modules
-- The sandbox has Lua 5.4's base, string, table, math, utf8 and coroutine; no io, os, package,
-- debug, dofile or loadfile.

local platform = {
  "sim", "kubectl", "k8s", "etcdctl", "etcd", "mesh", "traffic", "metrics", "alerts", "faults",
  "dashboard", "node", "help",
}
local sandboxed = { "io", "os", "package", "debug", "dofile", "loadfile", "require" }

local function with(list, more)
  local all = {}
  for _, name in ipairs(list) do all[#all + 1] = name end
  for _, name in ipairs(more) do all[#all + 1] = name end
  return all
end

stds.firedrill_drill = { read_globals = platform }
stds.firedrill_policy = { read_globals = with(platform, { "lab", "hint", "check", "status_page" }) }
stds.firedrill_lab = { read_globals = with(platform, { "labkit", "require" }) }

-- Lab code is the default: a lab folder may hold modules of its own under any name.
std = "lua54+firedrill_lab"
not_globals = { "io", "os", "package", "debug", "dofile", "loadfile" }
max_line_length = false
-- Lab functions and checks are called as f(world, session, history): a check that needs only the
-- history still names the arguments before it.
ignore = { "212/world", "212/session", "212/history" }

-- A drill or policy defines its own helpers as globals, as a trainee at the REPL does.
files["**/policies/**/*.lua"] = { std = "lua54+firedrill_policy", not_globals = sandboxed, allow_defined_top = true }
for _, drills in ipairs({ "**/Tests/**/*.lua", "**/Scripts/**/*.lua", "**/drills/**/*.lua" }) do
  files[drills] = { std = "lua54+firedrill_drill", not_globals = sandboxed, allow_defined_top = true }
end
