-- wrk script for the DPoP request kind of scripts/soak: sends a DPoP-bound token with a
-- proof from a pool made before the run, each proof once. When a thread has used its share
-- of the pool, it starts over, so every later request is a replay that must get 401.
--
-- usage: wrk -tN -cN -s scripts/soak_dpop.lua URL -- PROOF_FILE TOKEN N
--
-- Run it with as many connections as threads. Each thread then has one connection, whose
-- responses arrive in the order of its requests, so each response is matched to its proof.
-- A socket error or timeout breaks that order, and scripts/soak counts those as failures.
--
-- Prints `UNEXPECTED <n> TIMEOUTS <n> ...` as scripts/soak.lua does, then
-- `DPOP ACCEPTED <n> REPLAYS_REJECTED <n> POOL <n>`.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path, token, thread_count = args[1], args[2], tonumber(args[3])
  proofs = {}
  local index = 0
  for line in io.lines(path) do
    if index % thread_count == id then
      table.insert(proofs, line)
    end
    index = index + 1
  end
  if #proofs == 0 then
    error("the proof pool has no proof for thread " .. id .. ": make it larger")
  end
  pool_size = #proofs
  authorization = "DPoP " .. token
  sent = 0
  -- Whether each request still awaiting its response carries a fresh proof, oldest first.
  pending, first_pending, last_pending = {}, 1, 0
  unexpected, accepted, replays_rejected = 0, 0, 0
end

function request()
  local position = sent % #proofs + 1
  last_pending = last_pending + 1
  pending[last_pending] = sent < #proofs
  sent = sent + 1
  return wrk.format(nil, nil, { ["Authorization"] = authorization, ["DPoP"] = proofs[position] })
end

-- A replay is rejected as already used, or, once its entry expired from the replay store
-- with the proof's acceptance window, as too old.
local function is_replay_rejection(status, headers)
  if status ~= 401 then
    return false
  end
  local challenge = headers["www-authenticate"] or headers["WWW-Authenticate"] or ""
  return challenge:find("the DPoP proof was already used", 1, true) ~= nil
    or challenge:find("the DPoP proof is too old or from the future", 1, true) ~= nil
end

function response(status, headers, body)
  local fresh = pending[first_pending]
  pending[first_pending] = nil
  first_pending = first_pending + 1
  if fresh and status == 200 then
    accepted = accepted + 1
  elseif fresh == false and is_replay_rejection(status, headers) then
    replays_rejected = replays_rejected + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total_unexpected, total_accepted, total_replays, pool = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    total_unexpected = total_unexpected + thread:get("unexpected")
    total_accepted = total_accepted + thread:get("accepted")
    total_replays = total_replays + thread:get("replays_rejected")
    pool = pool + thread:get("pool_size")
  end
  local errors = summary.errors
  io.write(string.format(
    "UNEXPECTED %d TIMEOUTS %d SOCKET_ERRORS %d REQUESTS %d P99_MS %.1f\n",
    total_unexpected, errors.timeout, errors.connect + errors.read + errors.write,
    summary.requests, latency:percentile(99) / 1000))
  io.write(string.format("DPOP ACCEPTED %d REPLAYS_REJECTED %d POOL %d\n",
    total_accepted, total_replays, pool))
end
