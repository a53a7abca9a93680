-- score = 10
-- A careful on-call engineer: waits for the page, looks (a command of its own: a look in the
-- same command as the deed does not count), heals at once, tells customers what happened.
sim.advance("2m10s")
cut_off = faults.active()
if #cut_off > 0 then faults.heal() end
status_page("09:02-09:02:10: zone eu-west-1c was cut off from the network; it is healed and everything is back.")
