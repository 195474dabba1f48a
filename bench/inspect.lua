-- wrk script for bench/serve.sh: POST /api/inspections with bodies cycled
-- from a JSON-lines file (BODIES), bearer token from TOKEN. Counts answers
-- other than 201 and prints one JSON line of figures at the end.
local bodies = {}
local i = 0
local token = os.getenv("TOKEN")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BODIES"), "r"))
  for line in f:lines() do bodies[#bodies + 1] = line end
  f:close()
  i = math.random(#bodies)
  bad = 0
end

-- DELAY_MS: each connection waits this long after an answer before its
-- next request (a paced load, like booths, instead of back to back).
local pause = tonumber(os.getenv("DELAY_MS") or "")
if pause then
  function delay() return pause end
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/inspections",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, bodies[i])
end

function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"per_second":%.1f,"non_201":%d,"socket_errors":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), bad_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
