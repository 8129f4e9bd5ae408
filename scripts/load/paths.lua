-- GET a list of paths: cycled (cached pages), or each once (distinct API queries), optionally made
-- distinct with a changing query parameter (junk parameters, which the page cache ignores: "bust=x"), optionally stopping each
-- thread after "limit" answers, optionally accepting gzip as browsers and calendar clients do ("gzip=1").
--
-- Arguments after "--": paths=FILE threads=N [mode=cycle|distinct] [bust=NAME] [run=ID] [limit=N] [gzip=1]
package.path = (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done
statuses, counters = {}, {}

local paths, position, step, mode, bust, run, limit, answered = {}, 0, 1, "cycle", nil, "0", nil, 0
local headers = {}

function init(args)
  local options = common.options(args)
  paths = common.lines(options.paths)
  step = tonumber(options.threads) or 1
  position = thread_number - 1
  mode = options.mode or "cycle"
  bust = options.bust
  run = options.run or "0"
  limit = tonumber(options.limit)
  if options.gzip == "1" then
    headers["Accept-Encoding"] = "gzip"
  end
end

function request()
  if mode == "distinct" and position >= #paths then
    -- More requests than distinct paths: the figure is partly cached, and the report says so.
    common.bump("repeated")
  end
  local path = paths[position % #paths + 1]
  position = position + step
  if bust then
    local separator = path:find("?", 1, true) and "&" or "?"
    path = path .. separator .. bust .. "=" .. run .. "-" .. thread_number .. "-" .. position
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  common.count(status)
  answered = answered + 1
  if limit and answered >= limit then
    wrk.thread:stop()
  end
end
