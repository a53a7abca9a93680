-- expect: malformed pattern (missing ']')
return ("abc"):find("[a")
