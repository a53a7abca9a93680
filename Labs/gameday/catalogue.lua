-- The game day's fault catalogue: what can break on the bank, how it is broken (with the world's
-- own fault and Kubernetes APIs: no symptom is staged), what the pager says, and how to tell from
-- the world and the audit log that its cause was found and cured.
--
-- An incident is a pure function of the seed and the difficulty (`catalogue.plan`), drawn with a
-- generator of its own rather than math.random: lab.lua breaks the world with the plan and
-- grade.lua rebuilds the same plan to judge it, in another Lua environment.

local catalogue = {}

local ZONES = { "eu-west-1a", "eu-west-1b", "eu-west-1c" }
local NODES, ETCD_HOSTS, MASTERS = 36, 9, 3

-- Services on a customer request path (BankCatalog's core), with the class a pager names first.
local PATH_SERVICES = {
  { namespace = "cards", name = "card-processor", class = "card_payments" },
  { namespace = "cards", name = "card-authoriser", class = "card_payments" },
  { namespace = "payments", name = "transaction-processor", class = "card_payments" },
  { namespace = "payments", name = "transfer-processor", class = "bank_transfers" },
  { namespace = "current-account", name = "account", class = "card_payments" },
  { namespace = "ledger", name = "ledger-writer", class = "card_payments" },
  { namespace = "feed", name = "feed", class = "feed_balance" },
  { namespace = "feed", name = "balance", class = "feed_balance" },
  { namespace = "ledger", name = "ledger-balances", class = "feed_balance" },
}

--- The classes customers use, whose lost requests are the incident's impact.
catalogue.customer_classes = { "card_payments", "bank_transfers", "feed_balance", "cops_lookups", "prepaid_card_payments" }

-- splitmix64 over Lua's 64-bit integers: the same numbers in every environment and process.
local function generator(seed, stream)
  local state = math.tointeger(seed) * 1000003 + stream
  return function(count)
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = z ~ (z >> 31)
    return z % count + 1
  end
end

local function deployment(world, target)
  return world.truth.k8s.get("deployments", target.name, { namespace = target.namespace })
end

local function host_up(world, host)
  local node = world.truth.k8s.get("nodes", host)
  if not node then return false end
  for _, condition in ipairs(node.status and node.status.conditions or {}) do
    if condition.type == "Ready" then return condition.status == "True" end
  end
  return false
end

local function etcd_whole(world)
  local members = world.etcd.members()
  if #members < ETCD_HOSTS or not world.etcd.leader() then return false end
  for _, member in ipairs(members) do
    if not member.healthy then return false end
  end
  return true
end

local function network_clear(world, kind)
  for _, fault in ipairs(world.faults.active()) do
    if fault.kind == kind then return false end
  end
  return true
end

-- Records leave a field empty ("") where the object has none: a list names no object.
local function blank(value) return value == nil or value == "" end

-- A read names the target: its object, or what it found there (findings name hosts and services).
local function mentions(read, words)
  for _, word in ipairs(words) do
    if read.name == word or read.host == word or read.namespace == word then return true end
    for _, finding in ipairs(read.findings or {}) do
      if string.find(finding, word, 1, true) then return true end
    end
  end
  return false
end

-- etcd's own tools name the members that are down.
local function etcd_found(read, fault)
  return (read.kind == "etcd-members" or read.kind == "etcd-health") and mentions(read, fault.hosts)
end

local function crash_all(world, fault)
  for _, host in ipairs(fault.hosts) do world.faults.crash(host) end
end

-- Each kind: `hurts` (customers lose requests after the page unless someone acts: measured, as
-- the mesh routes around a dead node or zone within seconds and traffic does not cross a
-- clogged link between zones), `draw(random)` a target,
-- `apply(world, fault)`, `page(fault)` the pager's text, `cured(world, fault)`, and
-- `found(read, fault)`: a look that would have shown the cause.
catalogue.kinds = {
  bad_deploy = {
    hurts = true,
    draw = function(random) return { service = PATH_SERVICES[random(#PATH_SERVICES)] } end,
    apply = function(world, fault)
      local service = fault.service
      world.kubectl(string.format("set image deployment/%s %s=monzo/%s:2017.10.27-broken -n %s",
        service.name, service.name, service.name, service.namespace))
    end,
    page = function(fault)
      return string.format("[FIRING] %sErrorRate critical: more than 1%% of %s requests failing for 1m (release train: %s/%s deployed)",
        fault.service.class, fault.service.class, fault.service.namespace, fault.service.name)
    end,
    cured = function(world, fault)
      local found = deployment(world, fault.service)
      if not found then return false end
      for _, container in ipairs(found.spec.template.spec.containers) do
        if string.find(container.image, "broken", 1, true) then return false end
      end
      return (found.status.availableReplicas or 0) >= 1
    end,
    found = function(read, fault)
      local kinds = { deployments = true, replicasets = true, pods = true, events = true }
      return kinds[read.kind] and read.namespace == fault.service.namespace
        and (blank(read.name) or string.find(read.name, fault.service.name, 1, true) ~= nil)
    end,
  },

  scale_to_zero = {
    hurts = true,
    draw = function(random) return { service = PATH_SERVICES[random(#PATH_SERVICES)] } end,
    apply = function(world, fault)
      local service = fault.service
      local found = deployment(world, service)
      fault.replicas = found and found.spec.replicas or 3
      world.kubectl(string.format("scale deployment/%s --replicas=0 -n %s", service.name, service.namespace))
    end,
    page = function(fault)
      return string.format("[FIRING] %sErrorRate critical: more than 1%% of %s requests failing for 1m",
        fault.service.class, fault.service.class)
    end,
    cured = function(world, fault)
      local found = deployment(world, fault.service)
      return found ~= nil and (found.spec.replicas or 0) >= 2 and (found.status.availableReplicas or 0) >= 2
    end,
    found = function(read, fault)
      local kinds = { deployments = true, replicasets = true, pods = true, endpoints = true, events = true, routes = true }
      return kinds[read.kind] and read.namespace == fault.service.namespace
        and (blank(read.name) or read.name == fault.service.name)
    end,
  },

  node_crash = {
    hurts = false,
    draw = function(random) return { host = "node-" .. random(NODES) } end,
    apply = function(world, fault) world.faults.crash(fault.host) end,
    page = function(fault)
      return "[FIRING] KubeNodeNotReady warning: " .. fault.host .. " has not posted status for 40s"
    end,
    cured = function(world, fault) return host_up(world, fault.host) end,
    found = function(read, fault)
      return (read.kind == "nodes" or read.kind == "host" or read.kind == "dashboard") and mentions(read, { fault.host })
        or read.kind == "nodes" and blank(read.name)
    end,
  },

  zone_partition = {
    hurts = false,
    draw = function(random) return { zone = ZONES[random(#ZONES)] } end,
    apply = function(world, fault) world.faults.partition{ fault.zone } end,
    page = function()
      return "[FIRING] TargetsUnreachable critical: a third of the scrape targets stopped answering"
    end,
    cured = function(world) return network_clear(world, "partition") end,
    found = function(read) return read.kind == "faults" end,
  },

  clogged_link = {
    hurts = false,
    draw = function(random)
      local from = random(#ZONES)
      return { from = ZONES[from], to = ZONES[from % #ZONES + 1] }
    end,
    apply = function(world, fault) world.faults.clog{ from = fault.from, to = fault.to, delay = "800ms", drop = 0.3 } end,
    page = function()
      return "[FIRING] KubeAPILatencyHigh warning: Kubernetes API requests p99 above 1s for 2m"
    end,
    cured = function(world) return network_clear(world, "clog") end,
    found = function(read) return read.kind == "faults" end,
  },

  etcd_member_loss = {
    hurts = false,
    draw = function(random) return { hosts = { "etcd-" .. random(ETCD_HOSTS) } } end,
    apply = crash_all,
    page = function()
      return "[FIRING] etcdMembersDown warning: 8 of 9 etcd members answering"
    end,
    cured = etcd_whole,
    found = etcd_found,
  },

  etcd_quorum_loss = {
    hurts = false,
    draw = function(random)
      -- A majority of the nine, in zone order from a random start: five hosts, two zones hit hard.
      local hosts, first = {}, random(ETCD_HOSTS)
      for offset = 0, 4 do hosts[#hosts + 1] = "etcd-" .. ((first + offset - 1) % ETCD_HOSTS + 1) end
      return { hosts = hosts }
    end,
    apply = crash_all,
    page = function()
      return "[FIRING] etcdNoLeader critical: etcd has no leader; Kubernetes API writes failing"
    end,
    cured = etcd_whole,
    found = etcd_found,
  },

  apiserver_crash = {
    hurts = false,
    draw = function(random) return { host = "master-" .. random(MASTERS) } end,
    apply = function(world, fault) world.faults.crash(fault.host) end,
    page = function()
      return "[FIRING] KubeAPIDown warning: one of three Kubernetes API servers stopped answering the load balancer"
    end,
    cured = function(world, fault)
      for _, server in ipairs(world.k8s.apiservers()) do
        if server.host == fault.host then return server.healthy ~= false and server.running ~= false end
      end
      return false
    end,
    found = function(read, fault)
      return (read.kind == "apiservers" or read.kind == "host") or mentions(read, { fault.host })
    end,
  },
}

--- The kinds in the order the catalogue lists them (the order draws use).
catalogue.order = { "bad_deploy", "scale_to_zero", "node_crash", "zone_partition", "clogged_link",
                    "etcd_member_loss", "etcd_quorum_loss", "apiserver_crash" }

-- Which kinds a difficulty draws from, and how many faults.
local DIFFICULTIES = {
  easy = { count = 1, hurting_only = true },
  normal = { count = 1 },
  hard = { count = 2 },
}

--- The incident a seed and difficulty make: a list of faults {kind, at (seconds after arrival),
--- page_at, target fields}, the first one to two minutes after arrival... four minutes at most.
function catalogue.plan(seed, difficulty)
  local rules = DIFFICULTIES[difficulty or "normal"] or DIFFICULTIES.normal
  local random = generator(seed, 16)
  local pool = {}
  for _, kind in ipairs(catalogue.order) do
    if not rules.hurting_only or catalogue.kinds[kind].hurts then pool[#pool + 1] = kind end
  end
  local faults, at = {}, 60 + random(180)
  for _ = 1, rules.count do
    local index = random(#pool)
    local kind = table.remove(pool, index)
    local fault = catalogue.kinds[kind].draw(random)
    fault.kind, fault.at = kind, at
    -- The pager's rules wait for a symptom to last before they page.
    fault.page_at = at + 30 + random(30)
    faults[#faults + 1] = fault
    at = at + 120 + random(240)
  end
  return faults
end

--- A fault in words, for debriefs and the sweep's table.
function catalogue.describe(fault)
  local target = fault.host or fault.zone or (fault.service and fault.service.namespace .. "/" .. fault.service.name)
    or (fault.hosts and table.concat(fault.hosts, ",")) or (fault.from and fault.from .. "->" .. fault.to) or ""
  return fault.kind .. " " .. target
end

return catalogue
