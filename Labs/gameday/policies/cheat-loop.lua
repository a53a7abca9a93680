-- score = 0..6
-- Loops a deed without looking: heals the network and reboots every etcd host over and over.
-- Blind, it cures only what those deeds happen to cure, and rebooting healthy hosts costs.
sim.advance("4m")
for _ = 1, 5 do faults.heal(); for i = 1, 9 do faults.restart("etcd-" .. i) end end
sim.advance("5m")
