-- Sends each request with credentials read from a pool file, each entry once while the
-- pool lasts, so no cache on the server can help. Each wrk thread takes every Nth line and
-- stops once its share is used up. wrk still divides by the full duration, so a pool that
-- runs out understates the rate: scripts/bench checks the request count against the pool.
--
-- usage: wrk -t THREADS ... -s pool.lua URL -- FILE SCHEME THREADS
--   SCHEME bearer: each line of FILE is an access token.
--   SCHEME dpop:   the first line is a DPoP-bound access token, each further line a
--                  DPoP proof for it.

local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(script_dir .. "report.lua")

local next_thread_id = 0

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
end

local entries = {}
local position = 0
local scheme
local dpop_token
local host
local stop_at

function init(args)
  local file_name, threads = args[1], tonumber(args[3])
  scheme = args[2]
  if file_name == nil or threads == nil or (scheme ~= "bearer" and scheme ~= "dpop") then
    error("usage: -s pool.lua URL -- FILE bearer|dpop THREADS")
  end
  local file = assert(io.open(file_name, "r"))
  local line_number = 0
  for line in file:lines() do
    if scheme == "dpop" and dpop_token == nil then
      dpop_token = line
    else
      if line_number % threads == thread_id then
        entries[#entries + 1] = line
      end
      line_number = line_number + 1
    end
  end
  file:close()
  if #entries == 0 then
    error("pool file " .. file_name .. " has no entries for thread " .. thread_id)
  end
  stop_at = #entries - math.min(256, math.floor(#entries / 2))
  host = wrk.headers["Host"] or wrk.host
end

function request()
  position = position + 1
  -- The thread stops with a reserve left, because requests already being written when
  -- stop() is called still need unused entries.
  if position == stop_at then
    wrk.thread:stop()
  end
  if position > #entries then
    position = #entries
  end
  local headers = { ["Host"] = host }
  if scheme == "dpop" then
    headers["Authorization"] = "DPoP " .. dpop_token
    headers["DPoP"] = entries[position]
  else
    headers["Authorization"] = "Bearer " .. entries[position]
  end
  return wrk.format("GET", wrk.path, headers)
end
