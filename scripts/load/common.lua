-- Shared by the harness's wrk scripts: thread numbering, status counts, options, and the report.
--
-- Each script defines setup/done from here. A thread counts the statuses it received in the
-- global `statuses` and its own events in `counters`; `done` gathers them from every thread and
-- prints one line, "WRK_JSON {...}", that scripts/load/wrk.py reads.
local common = {}
local threads = {}

--- Number the threads (1, 2, ...) so that each one can take its own share of the work.
function common.setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

--- Return the "key=value" arguments given to wrk after "--" as a table.
function common.options(args)
  local options = {}
  for _, arg in ipairs(args or {}) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  return options
end

--- Return the non-empty lines of a file.
function common.lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  return lines
end

--- Count one answer's status in the thread.
function common.count(status)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

--- Count one event of the thread ("acknowledged", "repeated", ...).
function common.bump(name, amount)
  counters[name] = (counters[name] or 0) + (amount or 1)
end

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } load_timespec;
  int clock_gettime(int clock, load_timespec *now);
]]
local now_buffer = ffi.new("load_timespec")

--- Return a monotonic time in milliseconds (wrk gives no per-request time to the scripts).
function common.now_ms()
  ffi.C.clock_gettime(1, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local function merge(into, from)
  for key, value in pairs(from or {}) do
    into[key] = (into[key] or 0) + value
  end
end

local function encode(value)
  if type(value) == "table" then
    local parts = {}
    for key, item in pairs(value) do
      parts[#parts + 1] = string.format("%q:%s", tostring(key), encode(item))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif type(value) == "number" then
    if value == math.floor(value) and math.abs(value) < 1e15 then
      return string.format("%d", value)
    end
    return string.format("%.6g", value)
  end
  return string.format("%q", tostring(value))
end

--- Print the run's figures as one JSON line for the Python driver.
function common.done(summary, latency, requests)
  local all_statuses, all_counters = {}, {}
  for _, thread in ipairs(threads) do
    merge(all_statuses, thread:get("statuses"))
    merge(all_counters, thread:get("counters"))
  end
  local errors = summary.errors
  io.write("WRK_JSON ", encode({
    duration_us = summary.duration,
    requests = summary.requests,
    bytes = summary.bytes,
    errors = { connect = errors.connect, read = errors.read, write = errors.write,
               status = errors.status, timeout = errors.timeout },
    latency_us = { p50 = latency:percentile(50), p95 = latency:percentile(95),
                   p99 = latency:percentile(99), max = latency.max, mean = latency.mean },
    statuses = all_statuses,
    counters = all_counters,
  }), "\n")
end

return common
