local i = 0
request = function()
  i = (i + 1) % 1000
  return wrk.format("GET", nil, { ["X-SdAgones-Dev-User"] = string.format("bench-u%04d", i), ["Accept"] = "application/json" })
end
