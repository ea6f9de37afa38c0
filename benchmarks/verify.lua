-- wrk script of `python -m benchmarks.load`: GET the public verify endpoints, cycling through codes.
--
-- Environment:
--   VERIFY_CODES  file with one formatted verification code per line (XXXX-XXXX-XXXX-XXXX)
--   VERIFY_MODE   "html" (/certs/verify/<code>/), "json" (/certs/api/v1/verify/<code>/) or "mixed"
--                 (the two alternately; they share one rate-limit budget)
--   VERIFY_OFFSET  where in the list the run starts (default 0): a run that starts past every code
--                  an earlier run requested asks only for codes the server has not answered yet
--   VERIFY_SPAN    how many codes from there the run cycles through (default: all of them): a run
--                  that repeats an earlier one asks only for the codes that run asked for
-- Each thread starts at its own offset in the list. done() prints one line "WRK_JSON {...}" with
-- wrk's summary and latency percentiles (microseconds), and the responses counted by status and by
-- kind (a JSON body starts with "{"), with the Retry-After headers seen on 429 answers.

local mode = os.getenv("VERIFY_MODE") or "html"
local offset = tonumber(os.getenv("VERIFY_OFFSET") or "0")
local span = tonumber(os.getenv("VERIFY_SPAN") or "0")
local codes = {}
for line in io.lines(os.getenv("VERIFY_CODES")) do
  if #line > 0 then codes[#codes + 1] = line end
end
if #codes == 0 then error("VERIFY_CODES lists no code") end
if span <= 0 or span > #codes then span = #codes end

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  position = thread_index * 7919
  counts = {}           -- counts["html 200"] = n
  retry_after = 0       -- 429 answers carrying a Retry-After header
  retry_min = -1
  retry_max = -1
end

function request()
  position = position + 1
  local code = codes[((offset + 1 + (position - 1) % span) % #codes) + 1]
  if mode == "json" or (mode == "mixed" and position % 2 == 0) then
    return wrk.format("GET", "/certs/api/v1/verify/" .. code .. "/")
  end
  return wrk.format("GET", "/certs/verify/" .. code .. "/")
end

function response(status, headers, body)
  local kind = "html"
  if body ~= nil and body:sub(1, 1) == "{" then kind = "json" end
  local key = kind .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if status == 429 then
    local value = headers["Retry-After"] or headers["retry-after"]
    if value ~= nil then
      retry_after = retry_after + 1
      local seconds = tonumber(value)
      if seconds ~= nil then
        if retry_min < 0 or seconds < retry_min then retry_min = seconds end
        if seconds > retry_max then retry_max = seconds end
      end
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  local with_retry, low, high = 0, -1, -1
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + n end
    with_retry = with_retry + thread:get("retry_after")
    local tmin, tmax = thread:get("retry_min"), thread:get("retry_max")
    if tmin >= 0 and (low < 0 or tmin < low) then low = tmin end
    if tmax > high then high = tmax end
  end
  local parts = {}
  for key, n in pairs(total) do parts[#parts + 1] = string.format('"%s": %d', key, n) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
    '"counts": {%s}, "retry_after": {"count": %d, "min": %d, "max": %d}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", "), with_retry, low, high))
end
