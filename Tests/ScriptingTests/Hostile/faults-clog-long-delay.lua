-- expect: bad argument #1 to 'faults.clog' (delay must be at most 1d
faults.clog{from = "node-1", delay = "99999h"}
