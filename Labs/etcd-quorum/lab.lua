-- etcd-quorum: members, leaders and quorum on the practice platform's three-member etcd.
-- A zone drops off at 10:03 (and comes back at 10:09); the trainee shows that two of three
-- members still commit writes, then grows the cluster to five, one member at a time.

-- Steps are judged on what the trainee looked at and did, from the world's audit log
-- (session.reads(), session.actions()), never on the words of a command.

-- What shows the members and the leader: etcdctl member list, endpoint status and health,
-- etcd.members(), etcd.leader(), etcd.health().
local cluster_views = { "etcd-members", "etcd-health" }

-- True when a write went through etcd (the put's outcome, as etcd answered it) while the zone
-- was cut off.
local function wrote_during_outage(session, began, ended)
  return labkit.first(session.actions{ since = began }, { verb = "put", outcome = "done", since = began, till = ended }) ~= nil
end

local zone_lost_at, zone_back_at = nil, nil

return {
  id = "etcd-quorum",
  title = "etcd: members, leaders and quorum",
  summary = "Find the leader, ride out a zone outage on quorum, and grow etcd to five members safely.",
  difficulty = "intermediate",
  minutes = 25,

  scenario = { name = "practice", seed = 11, start = "2017-10-27 10:00" },
  -- The outage comes at 10:03 and ends at 10:09; waiting for it teaches nothing, so time may be
  -- moved up to five minutes at once. The cluster is judged at 10:40.
  time = { speed = 1, advance = "5m", grade_at = "10:40" },

  injects = {
    {
      name = "zone outage",
      at = "10:03",
      run = function(world)
        world.faults.partition{ "eu-west-1c" }
        zone_lost_at = world.sim.now()
      end,
      notice = "PAGE: etcd-3 and node-3 in eu-west-1c stopped answering. Is etcd still taking writes?",
    },
    {
      name = "zone back",
      at = "10:09",
      run = function(world)
        world.faults.heal()
        zone_back_at = world.sim.now()
      end,
      notice = "eu-west-1c is back on the network.",
    },
  },

  steps = {
    {
      title = "Meet the cluster",
      briefing = [[
The practice platform keeps its state in a three-member etcd cluster, one member per zone.
Find out which member leads and how many members make a quorum: etcdctl "member list",
etcdctl "endpoint status -w table" and etcd.health() all help.]],
      hints = {
        'etcdctl "endpoint status -w table" has an IS LEADER column.',
        "etcd.health() gives members, quorum and fault_tolerance in one table.",
      },
      done = function(world, session)
        return labkit.first(session.reads(), { kind = cluster_views }) ~= nil, "look at the members and the leader first"
      end,
    },
    {
      title = "Ride out a zone outage",
      briefing = [[
At 10:03 a zone drops off the network (sim.advance("3m") if you would rather not wait). Two of
three members are still a quorum: show that etcd still commits writes while the zone is gone,
with etcdctl "put KEY VALUE".]],
      hints = {
        "A cluster of three needs two members for a quorum, so it tolerates one member lost.",
        'etcdctl "put /drill/zone-loss survived" writes through the members that remain.',
      },
      done = function(world, session)
        if not zone_lost_at then return false, "the zone has not dropped off yet: it happens at 10:03" end
        return wrote_during_outage(session, zone_lost_at, zone_back_at),
          "write a key with etcdctl put while eu-west-1c is cut off"
      end,
    },
    {
      title = "Grow to five, one member at a time",
      briefing = [[
Three members tolerate one failure; five tolerate two. Once eu-west-1c is back (10:09), grow
the cluster to five members, on node-1 and node-2, one member at a time: add a member (etcdctl "member add NAME
--peer-urls=http://node-1:2380"), start it (etcd.start(NAME, "http://node-1:2380")), wait until
it has started, and only then add the next. A member added but not started still counts
towards the quorum, so two at once can leave the cluster unable to commit.]],
      hints = {
        "etcd refuses a member add (\"unhealthy cluster\") while the cluster could lose quorum by it: wait for the zone to come back.",
        'etcdctl "member add etcd-4 --peer-urls=http://node-1:2380", then etcd.start("etcd-4", "http://node-1:2380").',
        'etcdctl "member list" shows STATUS started once a new member has joined; then add etcd-5 on node-2.',
      },
      done = function(world)
        local health = world.etcd.health()
        return health.members == 5 and health.started == 5 and health.healthy,
          "the cluster needs five started, healthy members"
      end,
    },
  },
}
