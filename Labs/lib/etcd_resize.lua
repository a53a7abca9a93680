-- Monzo's etcd resize of mid-October 2017, as an operator's runbook (require "etcd_resize"):
-- grow the cluster from one member per zone (etcd-old-1..3) to three per zone on new instances
-- (etcd-1..9). In each zone the first new member is added and started, the zone's old member is
-- removed, and the automation terminates the old instance as soon as `member remove` returns;
-- then the zone's other two new members are added. One membership change at a time, each new
-- member caught up before the next.
--
-- The Monzo lab's setup and the outage tests (Tests/ScriptingTests/MonzoOutageTests.swift) both
-- run this file, so the history the lab replays is the one the tests prove.
--
-- Returns resize(world): `world` gives etcd, sim and faults (a lab's world, or a drill's _G);
-- etcdctl is the global every lab and drill has. Simulated time passes as it goes.

local zones = {
  { old = "etcd-old-1", new = { "etcd-1", "etcd-4", "etcd-7" } },
  { old = "etcd-old-2", new = { "etcd-2", "etcd-5", "etcd-8" } },
  { old = "etcd-old-3", new = { "etcd-3", "etcd-6", "etcd-9" } },
}

return function(world)
  local etcd, sim, faults = world.etcd, world.sim, world.faults

  local function member_id(name)
    for _, member in ipairs(etcd.members()) do
      if member.name == name then return member.id end
    end
    error("no etcd member named " .. name)
  end

  local function healthy(name)
    for _, member in ipairs(etcd.members()) do
      if member.name == name and member.healthy then return true end
    end
    return false
  end

  -- etcd refuses a change while the previous one settles: try again, as an operator would.
  local function retry(what, action)
    for _ = 1, 60 do
      if action() then return end
      sim.advance("5s")
    end
    error(what .. " kept failing")
  end

  local function add(host)
    retry("member add " .. host, function()
      return etcdctl("member add " .. host .. " --peer-urls=http://" .. host .. ":2380")
    end)
    assert(etcd.start(host))
    for _ = 1, 300 do
      if healthy(host) then sim.advance("10s") return end
      sim.advance("1s")
    end
    error(host .. " did not catch up")
  end

  for _, zone in ipairs(zones) do
    add(zone.new[1])
    local id = member_id(zone.old)
    retry("member remove " .. zone.old, function() return etcdctl("member remove " .. id) end)
    -- The automation terminates the old instance as soon as the removal returns. Whether its
    -- network vanishes before etcd has exited (stranding the clients pinned to it) or etcd closes
    -- its connections first is drawn per instance by faults.terminate: the scenario's
    -- assumption, stated in the Monzo lab's README.
    faults.terminate(zone.old)
    add(zone.new[2])
    add(zone.new[3])
  end
  assert(#etcd.members() == 9, "the cluster should have nine members")
end
