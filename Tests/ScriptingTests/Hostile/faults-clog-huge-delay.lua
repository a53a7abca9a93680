-- expect: bad argument #1 to 'faults.clog' (delay must be a duration)
faults.clog{from = "node-1", delay = 1e300}
