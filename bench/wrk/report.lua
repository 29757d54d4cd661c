-- Prints one machine-readable line after a wrk run, read by scripts/bench.
-- Latencies are in microseconds. "errors" counts socket errors and timeouts, and "non2xx"
-- counts responses with a status of 400 or more (wrk's status errors).

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d\n",
    summary.requests,
    summary.duration,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50),
    latency:percentile(99),
    latency.max,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
