-- The campaign mix for wrk: per 36 requests one identity check ①, one account ②, one code ③,
-- three logins ④ and thirty top-page loads (GET /api/me), as each insured person makes them.
-- The bench prepares what the stateful steps need (fresh roster people, flows waiting at ②
-- and at ③ with their mailed code, accounts, sessions) and passes the file: args[1] = pool
-- file, args[2] = number of threads. One connection per thread, so a response always belongs
-- to the request before it. Each request comes from a random client address (the runner
-- trusts X-Forwarded-For for the bench) so that per-address throttles do not answer 429.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local single_use = { identity = true, account = true, code = true }
-- Each thread logs in with its own accounts: a person does not try one user ID from several
-- places at once, and concurrent tries of one ID are counted against its lock (as they should).
local per_thread = { identity = true, account = true, code = true, login = true }

function init(args)
  local nthreads = tonumber(args[2])
  queues = { identity = {}, account = {}, code = {}, login = {}, me = {} }
  position = { identity = 0, account = 0, code = 0, login = 0, me = 0 }
  local seen = { identity = 0, account = 0, code = 0, login = 0, me = 0 }
  local all_logins = {}
  for line in io.lines(args[1]) do
    local kind, rest = line:match("^(%a+)\t(.*)$")
    if kind == "login" then table.insert(all_logins, rest) end
    if not per_thread[kind] or seen[kind] % nthreads == id then
      table.insert(queues[kind], rest)
    end
    seen[kind] = seen[kind] + 1
  end
  if #queues.login == 0 then queues.login = all_logins end
  schedule = { "identity", "account", "code", "login", "login", "login" }
  for _ = 1, 30 do table.insert(schedule, "me") end
  math.randomseed(id + 1)
  for i = #schedule, 2, -1 do
    local j = math.random(i)
    schedule[i], schedule[j] = schedule[j], schedule[i]
  end
  slot = 0
  substituted = 0
  bad = 0
  last_kind = "me"
end

local function take(kind)
  local queue = queues[kind]
  position[kind] = position[kind] + 1
  if single_use[kind] then
    return queue[position[kind]]
  end
  return queue[(position[kind] - 1) % #queue + 1]
end

function request()
  slot = slot % #schedule + 1
  local kind = schedule[slot]
  local item = take(kind)
  if item == nil then
    -- The prepared people ran out at this rate: count it and load the top page instead.
    substituted = substituted + 1
    kind = "me"
    item = take(kind)
  end
  last_kind = kind
  local headers = {
    ["x-forwarded-for"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  if kind == "me" then
    headers["cookie"] = item
    return wrk.format("GET", "/api/me", headers)
  end
  headers["content-type"] = "application/json"
  if kind == "identity" then
    return wrk.format("POST", "/api/signup/identity", headers, item)
  elseif kind == "login" then
    return wrk.format("POST", "/api/session", headers, item)
  end
  local cookie, body = item:match("^([^\t]*)\t(.*)$")
  headers["cookie"] = cookie
  local path = kind == "account" and "/api/signup/account" or "/api/signup/code"
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status >= 300 then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write(string.format("%s answered %d: %s\n", last_kind, status, body:sub(1, 200):gsub("\n", " ")))
    end
  end
end

function done(summary, latency, requests)
  local substitutions, failures = 0, 0
  for _, thread in ipairs(threads) do
    substitutions = substitutions + thread:get("substituted")
    failures = failures + thread:get("bad")
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"status_errors":%d,"timeouts":%d,"failures":%d,"substituted":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, failures, substitutions,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
