-- score = 0..5
-- Nobody answers the page. Where the fault hurts customers this scores at most 2 (the sweep
-- checks it on every seed); where it hurts nobody, the customer-impact points are kept.
sim.advance("5m")
