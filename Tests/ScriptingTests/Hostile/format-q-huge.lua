-- %q writes out every byte that needs it: checked against the memory cap before it runs.
-- instructions: 20000000
-- expect: memory limit exceeded (string.format's %q would need
local s = string.rep("\0", 40 << 20)
return string.format("%q", s)
