-- Revalidate one path: the first GET of each thread takes the ETag, every later one sends it in
-- If-None-Match and should get 304 Not Modified.
--
-- Arguments after "--": path=PATH
package.path = (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done
statuses, counters = {}, {}

local path, etag = "/", nil

function init(args)
  path = common.options(args).path or "/"
end

function request()
  if etag then
    return wrk.format("GET", path, { ["If-None-Match"] = etag })
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if etag == nil then
    -- The priming answer is not what is measured: counted apart, it is no error.
    common.bump("primed")
    for name, value in pairs(headers) do
      if name:lower() == "etag" then etag = value end
    end
    if etag == nil then common.bump("no_etag") end
    return
  end
  common.count(status)
end
