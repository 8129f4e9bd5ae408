-- Ask questions as visitors do: GET the form (new visitor, no cookie), take the session cookie,
-- the CSRF token, the form's nonce and a theme with one of its sub-topics from the page, POST the
-- form, and expect 303 to the follow-up page. When the site asks to confirm (short text, already
-- asked), confirm once as a visitor would. Each acknowledged submission is written to the thread's
-- file, "ack <key> <flow ms> <post ms>", where <key> is the last segment of the redirect (the
-- product's follow-up token, the baseline's row id); the driver reads them back from the database.
--
-- Arguments after "--": form=PATH out=DIR words=FILE run=ID threads=N [departments=59,75,...]
package.path = (os.getenv("LOAD_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done
statuses, counters = {}, {}

local form_path, departments, words, run, out = "/", { "" }, {}, "0", nil
local state, cookie, fields, flow_started, post_started, flows = "get", nil, nil, 0, 0, 0

function init(args)
  local options = common.options(args)
  form_path = options.form
  departments = {}
  for code in (options.departments or ""):gmatch("[^,]+") do departments[#departments + 1] = code end
  if #departments == 0 then departments = { "" } end
  words = common.lines(options.words)
  run = options.run or "0"
  out = io.open(options.out .. "/submit-" .. thread_number .. ".txt", "w")
  math.randomseed(thread_number * 7919 + os.time())
  -- Threads start on different departments, then each takes the next one in the list.
  flows = thread_number - 1
end

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(char) return string.format("%%%02X", char:byte()) end))
end

local function form_body(values)
  local parts = {}
  for _, pair in ipairs(values) do
    parts[#parts + 1] = pair[1] .. "=" .. encode(pair[2])
  end
  return table.concat(parts, "&")
end

local function input_value(body, name)
  local marker = 'name="' .. name .. '"'
  for tag in body:gmatch("<input[^>]*>") do
    if tag:find(marker, 1, true) then
      return tag:match('value="([^"]*)"') or ""
    end
  end
  return nil
end

local function question_text()
  -- Fourteen different words drawn from the list plus a unique marker: never a near duplicate.
  local pool, chosen = { (table.unpack or unpack)(words) }, {}
  for _ = 1, math.min(14, #pool) do
    chosen[#chosen + 1] = table.remove(pool, math.random(#pool))
  end
  return "Question de charge " .. run .. "x" .. thread_number .. "x" .. flows .. " : "
      .. table.concat(chosen, " ") .. " ?"
end

local function header(headers, wanted)
  for name, value in pairs(headers) do
    if name:lower() == wanted then return value end
  end
  return nil
end

local function form_fields(body)
  local pairs_found = {}
  for theme, subtopic in body:gmatch('data%-theme="(%d+)"[^>]*>%s*<option value="(%d+)"') do
    pairs_found[#pairs_found + 1] = { theme, subtopic }
  end
  local csrf, nonce = input_value(body, "csrf_token"), input_value(body, "nonce")
  if csrf == nil or nonce == nil or #pairs_found == 0 then return nil end
  local pair = pairs_found[math.random(#pairs_found)]
  return {
    { "csrf_token", csrf }, { "department_code", input_value(body, "department_code") or "" },
    { "forum_id", "" }, { "theme_id", pair[1] }, { "subtopic_id", pair[2] }, { "text", question_text() },
    { "place", "" }, { "email", "" }, { "display_name", "" }, { "charter_accepted", "y" },
    { "website", "" }, { "nonce", nonce }, { "confirmed", "" },
  }
end

local function restart()
  state, cookie, fields = "get", nil, nil
end

function request()
  if state == "get" then
    flows = flows + 1
    flow_started = common.now_ms()
    local department = departments[(flows - 1) % #departments + 1]
    local path = form_path
    if department ~= "" then
      path = path .. (path:find("?", 1, true) and "&" or "?") .. "departement=" .. department
    end
    return wrk.format("GET", path)
  end
  post_started = common.now_ms()
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if cookie then headers["Cookie"] = cookie end
  return wrk.format("POST", form_path:gsub("%?.*$", ""), headers, form_body(fields))
end

local function refused(reason, status, body)
  common.bump("refused_" .. reason)
  local sample = (body or ""):match('<p class="fr%-message fr%-message%-%-error"[^>]*>([^<]*)') or ""
  out:write("refused ", reason, " ", tostring(status), " ", sample, "\n")
  out:flush()
  restart()
end

function response(status, headers, body)
  common.count(status)
  if state == "get" then
    if status ~= 200 then return refused("form_page", status, body) end
    fields = form_fields(body)
    if fields == nil then return refused("form_unreadable", status, body) end
    local set_cookie = header(headers, "set-cookie")
    cookie = set_cookie and set_cookie:match("^([^;]+)") or nil
    state = "post"
    return
  end
  if status == 303 then
    local location = header(headers, "location") or ""
    local key = location:gsub("%?.*$", ""):match("([^/]+)$") or ""
    local now = common.now_ms()
    common.bump("acknowledged")
    out:write(string.format("ack %s %.3f %.3f\n", key, now - flow_started, now - post_started))
    out:flush()
    return restart()
  end
  if status == 200 and state == "post" then
    local confirmed = input_value(body, "confirmed")
    if confirmed and confirmed ~= "" then
      -- The site asks whether to send it anyway: a visitor confirms, once.
      common.bump("confirmations")
      for _, pair in ipairs(fields) do
        if pair[1] == "confirmed" then pair[2] = confirmed end
      end
      state = "confirm"
      return
    end
  end
  return refused(status == 429 and "rate_limited" or "post", status, body)
end
