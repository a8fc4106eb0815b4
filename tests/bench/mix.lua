-- The campaign mix for wrk, a person's campaign as the bill counts it in Chromium: per 50
-- requests one identity check ①, one account ②, one code ③, two logins ④, six plain top
-- pages (GET /api/me), seven top pages with the survey, and the survey itself: three reads of a
-- dependent's form, three of its documents, sixteen saves, and five presigned uploads, each
-- later deleted (the upload to S3 and complete's verification are the documents part's; the
-- delete keeps each form under its file limit).
-- The bench prepares what the stateful steps need (fresh roster people, flows waiting at ②
-- and at ③ with their mailed code, accounts, sessions, each account's targets) and passes the
-- file: args[1] = pool file, args[2] = number of threads. One connection per thread, so a
-- response always belongs to the request before it: a save sends the version its form or last
-- save answered, a delete the document its presign made. Each thread answers a form of its own.
-- Each request comes from a random client address (the runner trusts X-Forwarded-For for the
-- bench) so that per-address throttles do not answer 429.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local single_use = { identity = true, account = true, code = true }
-- Each thread logs in with its own accounts and answers its own forms: a person does not try
-- one user ID from several places at once, and concurrent tries of one ID are counted against
-- its lock (as they should); two writers of one form would answer each other's saves with 409.
local per_thread = { identity = true, account = true, code = true, login = true, form = true }
local kinds = { "identity", "account", "code", "login", "me", "form" }

function init(args)
  local nthreads = tonumber(args[2])
  queues, position, seen = {}, {}, {}
  for _, kind in ipairs(kinds) do
    queues[kind], position[kind], seen[kind] = {}, 0, 0
  end
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
  -- The thread's form (the first of its own): its session cookie, its path, the version last
  -- read and the documents presigned and not yet deleted (at most the schedule's presigns, well
  -- under a form's file limit).
  form = nil
  if #queues.form > 0 then
    local cookie, target = queues.form[1]:match("^([^\t]*)\t(.*)$")
    form = { cookie = cookie, path = "/api/survey/targets/" .. target, version = nil, pending = {} }
  end
  schedule = { "identity", "account", "code", "login", "login" }
  local function add(kind, times)
    for _ = 1, times do table.insert(schedule, kind) end
  end
  add("me", 6)
  add("top", 7)
  add("read", 3)
  add("documents", 3)
  add("save", 16)
  add("presign", 5)
  add("delete", 5)
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

local survey_kinds = { read = true, documents = true, save = true, presign = true, delete = true }

-- A survey request on the thread's form; a save before the form was read reads it, a delete
-- with nothing presigned reads the form's documents.
local function survey_request(kind, headers)
  headers["cookie"] = form.cookie
  if kind == "save" and form.version == nil then kind = "read" end
  if kind == "delete" and #form.pending == 0 then kind = "documents" end
  last_kind = kind
  if kind == "read" then
    return wrk.format("GET", form.path, headers)
  elseif kind == "documents" then
    return wrk.format("GET", form.path .. "/documents", headers)
  elseif kind == "delete" then
    return wrk.format("DELETE", form.path .. "/documents/" .. form.pending[#form.pending], headers)
  end
  headers["content-type"] = "application/json"
  if kind == "save" then
    local body = string.format(
      '{"version":%d,"answers":{"living":"together","occupation":"part_time",' ..
      '"incomes":[{"kind":"wages","amount":%d,"per":"month"}]}}', form.version, 80000 + math.random(0, 9999))
    return wrk.format("PUT", form.path .. "/answers", headers, body)
  end
  return wrk.format("POST", form.path .. "/documents", headers,
    '{"kind":"other","fileName":"写真.jpg","contentType":"image/jpeg","size":1464417,"myNumberChecked":true}')
end

function request()
  slot = slot % #schedule + 1
  local kind = schedule[slot]
  local headers = {
    ["x-forwarded-for"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  if survey_kinds[kind] and form then
    return survey_request(kind, headers)
  end
  local item = (kind == "top" or survey_kinds[kind]) and take("me") or take(kind)
  if item == nil then
    -- The prepared people ran out at this rate: count it and load the top page instead.
    substituted = substituted + 1
    kind = "me"
    item = take(kind)
  end
  last_kind = kind
  if kind == "me" or kind == "top" or survey_kinds[kind] then
    headers["cookie"] = item
    return wrk.format("GET", kind == "me" and "/api/me" or "/api/me?include=survey", headers)
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
    return
  end
  if last_kind == "read" or last_kind == "save" then
    -- The first "version" of both answers is their own (the answers hold none).
    form.version = tonumber(body:match('"version":(%d+)')) or form.version
  elseif last_kind == "presign" then
    table.insert(form.pending, body:match('"id":"([^"]+)"'))
  elseif last_kind == "delete" then
    table.remove(form.pending)
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
