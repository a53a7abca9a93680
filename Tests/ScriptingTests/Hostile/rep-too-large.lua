-- expect: memory limit exceeded (string.rep would need
return string.rep("ab", 1e12)
