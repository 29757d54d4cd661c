-- wrk script for scripts/soak: counts responses whose status differs from the one expected
-- for this wrk run's fixed request, and prints the total as `UNEXPECTED <n> TIMEOUTS <n>`.
-- usage: wrk -s scripts/soak.lua ... URL -- EXPECTED_STATUS

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    "UNEXPECTED %d TIMEOUTS %d SOCKET_ERRORS %d REQUESTS %d P99_MS %.1f\n",
    total, errors.timeout, errors.connect + errors.read + errors.write, summary.requests,
    latency:percentile(99) / 1000))
end
