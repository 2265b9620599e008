-- The varied directory questions that bench/search-mix.lua (the API) and
-- bench/search-html.lua (the HTML page) load: a seeded random mix in which
-- nearly every request is a question not asked before, because real
-- visitors rarely repeat one within a cache's lifetime.
--
-- Words come from the text `kith generate` writes: the demo groups' names,
-- descriptions, regions and cities (read from
-- crates/app/src/demo/groups.json, so the mix follows the demo), the number
-- each generated group's name ends in, and the rare words quill0…quill4999.
-- A question is free text (none, a common word, any word, a rare word, two
-- words, a prefix of 1–4 letters) combined at random with format, day, time
-- of day, zone, starts_within, in_progress, focus, attribute, language,
-- country, region or city and page (mostly 1–3, sometimes deeper); about 2%
-- are pathological (a one-letter prefix alone, 20 words, every filter at
-- once, the deepest page). Every value is valid: the bench fails on any
-- answer that is not 2xx.
--
-- Seeded: KITH_BENCH_SEED (default 23) with the wrk thread's number mixed
-- in, so threads ask different questions and a run repeats the last one.
-- KITH_BENCH_GROUPS (default 100000) bounds the group numbers asked for.
--
-- Used from wrk: `dofile` this file, then `gen.wrk(prefix)` defines wrk's
-- setup, init, request and done. Usable from plain Lua or LuaJIT too:
--   luajit -e 'local g = dofile("bench/search-gen.lua").new(1)
--              for _ = 1, 5 do print(g:path("/api/v1/groups")) end'

local gen = {}

-- The directory this file is in ("" when loaded from the working directory).
local here = (debug.getinfo(1, "S").source:match("^@(.*/)") or "")

-- The value limits of kith_domain::directory (MAX_PAGE, MAX_QUERY_CHARS,
-- MAX_STARTS_WITHIN_MINUTES). Page 10,000 is refused there with a problem
-- document, so the deepest page asked is the last one allowed.
local MAX_PAGE = 500
local MAX_QUERY_CHARS = 200
local MAX_STARTS_WITHIN = 10080

local FORMATS = { "phone", "video", "in_person", "hybrid" }
local TIMES = { "morning", "afternoon", "evening", "night" }
local FOCUS = {
  "tapering", "staying_off", "considering", "peer_support",
  "family_friends", "hearing_voices", "alternatives_to_suicide",
}
local ATTRIBUTES = {
  "open", "members_only", "newcomer_friendly", "wheelchair", "captions",
  "cross_talk", "young_people", "lgbtq", "bipoc", "men", "women",
}
-- The demo's languages, a subtag, and two no group speaks.
local LANGUAGES = {
  "en", "en", "en", "de", "fr", "es", "nl", "pt", "pt-BR", "sw", "it",
  "sv", "hi", "ja", "pl", "ko",
}
-- The demo's countries, and two with no group.
local COUNTRIES = {
  "GB", "US", "DE", "AU", "FR", "CA", "NL", "BR", "KE", "ZA", "IN", "JP",
  "NZ", "AT", "ES", "IT", "SE", "IE", "MX", "AR", "CL", "NG", "UG", "NP",
  "SG", "PH", "PL", "IS",
}
-- The zones `kith generate` schedules in, and others with odd offsets or
-- clock changes on other dates.
local ZONES = {
  "UTC", "Europe/Berlin", "Europe/London", "America/New_York",
  "America/Los_Angeles", "America/Sao_Paulo", "Africa/Nairobi",
  "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo", "Australia/Adelaide",
  "America/St_Johns", "Pacific/Auckland", "America/Chicago",
  "Europe/Madrid", "Asia/Singapore", "Pacific/Chatham", "America/Anchorage",
}
-- The directory form's choices, and any other minute count.
local WITHINS = { 30, 60, 120, 240, 1440 }

-- Words in at least this share of the demo groups count as common.
local COMMON_SHARE = 0.10

-- Reads the demo groups' searchable text: {words = {...}, common = {...},
-- places = {...}}. Words are lowercase ASCII; a word touching a non-ASCII
-- character is left out, since splitting it here would ask for a word that
-- kith's tokenizer (which folds accents) never makes.
local function vocabulary()
  local path = here .. "../crates/app/src/demo/groups.json"
  local file = assert(io.open(path, "r"), "cannot read " .. path)
  local seen_in = {} -- word -> number of demo groups whose text has it
  local places, place_seen = {}, {}
  local groups = 0
  local in_group = {}
  local function add(text)
    text = text:gsub("\\u%x%x%x%x", "\128"):gsub("\\.", " ")
    for chunk in text:gmatch("[^%s%p]+") do
      if chunk:match("^%w+$") then
        in_group[chunk:lower()] = true
      end
    end
  end
  local function finish()
    for word in pairs(in_group) do
      seen_in[word] = (seen_in[word] or 0) + 1
    end
    in_group = {}
  end
  for line in file:lines() do
    if line:match("^  {") then
      finish()
      groups = groups + 1
    end
    -- Top-level keys only: the facilitation's own description is nested
    -- deeper and not searched.
    local key, value = line:match('^    "(%a+)": "(.*)",?$')
    if key == "name" or key == "description" then
      add(value)
    elseif key == "region" or key == "city" then
      add(value)
      if value:match("^[%w %-]+$") and not place_seen[key .. value] then
        place_seen[key .. value] = true
        places[#places + 1] = { key, value }
      end
    end
  end
  finish()
  file:close()
  assert(groups > 0, "no groups in " .. path)
  local words, common = {}, {}
  for word, n in pairs(seen_in) do
    words[#words + 1] = word
    if n >= COMMON_SHARE * groups then
      common[#common + 1] = word
    end
  end
  -- pairs() has no fixed order: sort, so a seed gives the same questions.
  table.sort(words)
  table.sort(common)
  table.sort(places, function(a, b) return a[1] .. a[2] < b[1] .. b[2] end)
  return { words = words, common = common, places = places }
end

local vocab = vocabulary()
local groups_generated = tonumber(os.getenv("KITH_BENCH_GROUPS") or "") or 100000

-- Percent-encodes a query value as a browser's form does.
local function encode(value)
  return (tostring(value):gsub("[^%w%-%._~ ]", function(c)
    return string.format("%%%02X", c:byte())
  end):gsub(" ", "+"))
end

local Gen = {}
Gen.__index = Gen

-- A generator: the same seed asks the same questions. It draws from Lua's
-- own generator, which it seeds, so a Lua state holds one at a time (wrk
-- gives every thread a state of its own).
function gen.new(seed)
  math.randomseed(seed)
  return setmetatable({}, Gen)
end

local function pick(list)
  return list[math.random(#list)]
end

-- A rare word: one of the 5,000 quills, or one group's number.
local function rare()
  if math.random() < 0.5 then
    return "quill" .. (math.random(5000) - 1)
  end
  return tostring(math.random(groups_generated))
end

-- One word of the free text, of a kind drawn at random.
local function word()
  local r = math.random()
  if r < 0.35 then return pick(vocab.common) end
  if r < 0.75 then return pick(vocab.words) end
  return rare()
end

-- A prefix of 1–4 letters of a demo word or a rare word (whose first
-- letters, "q" to "quil", begin every quill: a prefix as common as any).
local function prefix()
  local w = math.random() < 0.85 and pick(vocab.words) or rare()
  return w:sub(1, math.random(4))
end

-- The free text of an ordinary question, or nil.
local function free_text()
  local r = math.random()
  if r < 0.25 then return nil end
  if r < 0.45 then return pick(vocab.common) end
  if r < 0.65 then return pick(vocab.words) end
  if r < 0.75 then return rare() end
  if r < 0.87 then return word() .. " " .. word() end
  if r < 0.97 then return prefix() end
  return word() .. " " .. prefix()
end

-- A page: mostly 1–3, sometimes deeper.
local function page()
  local r = math.random()
  if r < 0.60 then return nil end
  if r < 0.77 then return 2 end
  if r < 0.89 then return 3 end
  if r < 0.97 then return math.random(4, 10) end
  return math.random(11, 50)
end

local function starts_within()
  if math.random() < 0.6 then return pick(WITHINS) end
  return math.random(MAX_STARTS_WITHIN)
end

-- Appends key=value to the list of pairs.
local function put(pairs_, key, value)
  if value ~= nil then
    pairs_[#pairs_ + 1] = key .. "=" .. encode(value)
  end
end

-- One or two distinct codes from list (repeatable parameters).
local function some(pairs_, key, list)
  local first = pick(list)
  put(pairs_, key, first)
  if math.random() < 0.25 then
    local second = pick(list)
    if second ~= first then put(pairs_, key, second) end
  end
end

-- The filters besides free text and zone, each adding its pairs.
local FACETS = {
  function(q) some(q, "format", FORMATS) end,
  function(q) put(q, "day", math.random(0, 6)) end,
  function(q) put(q, "time", pick(TIMES)) end,
  function(q) put(q, "starts_within", starts_within()) end,
  function(q) put(q, "in_progress", "true") end,
  function(q) some(q, "focus", FOCUS) end,
  function(q) some(q, "attribute", ATTRIBUTES) end,
  function(q) put(q, "language", pick(LANGUAGES)) end,
  function(q) put(q, "country", pick(COUNTRIES)) end,
  function(q)
    local place = pick(vocab.places)
    put(q, place[1], place[2])
  end,
}
-- How likely each facet is to be drawn, in FACETS' order: "in progress"
-- and a place are rarer choices than a day or a format.
local FACET_WEIGHTS = { 20, 20, 20, 10, 5, 10, 10, 8, 8, 3 }

-- Adds n distinct facets drawn by weight, in FACETS' order (the order a
-- form submits them in).
local function facets(q, n)
  local chosen, total = {}, 0
  for _, w in ipairs(FACET_WEIGHTS) do total = total + w end
  local left = total
  for _ = 1, n do
    local r = math.random() * left
    for i, w in ipairs(FACET_WEIGHTS) do
      if not chosen[i] then
        if r < w then
          chosen[i] = true
          left = left - w
          break
        end
        r = r - w
      end
    end
  end
  for i, add in ipairs(FACETS) do
    if chosen[i] then add(q) end
  end
end

-- The pairs of an ordinary question: free text with none to two filters,
-- or one to three filters alone (a question of no words and no filters
-- would be the same question every time).
local function ordinary()
  local q = {}
  local text = free_text()
  put(q, "q", text)
  local r = math.random()
  if text then
    facets(q, r < 0.30 and 0 or r < 0.75 and 1 or 2)
  else
    facets(q, r < 0.20 and 1 or r < 0.70 and 2 or 3)
  end
  if math.random() < 0.90 then put(q, "tz", pick(ZONES)) end
  put(q, "page", page())
  return q
end

-- Twenty common words, as many as fit the query's length limit.
local function twenty_words()
  local text = pick(vocab.common)
  for _ = 2, 20 do
    local w = pick(vocab.common)
    if #text + 1 + #w > MAX_QUERY_CHARS then break end
    text = text .. " " .. w
  end
  return text
end

-- The pairs of a pathological question: the costliest shapes allowed.
local function pathological()
  local q = {}
  local r = math.random(4)
  if r == 1 then
    put(q, "q", string.char(math.random(97, 122)))
    put(q, "page", math.random(1, 3))
  elseif r == 2 then
    put(q, "q", twenty_words())
  elseif r == 3 then
    put(q, "q", prefix())
    for _, add in ipairs(FACETS) do add(q) end
    put(q, "page", math.random(1, 3))
  else
    -- The deepest page of a short prefix or of one filter.
    if math.random() < 0.5 then put(q, "q", prefix()) else facets(q, 1) end
    put(q, "page", MAX_PAGE)
  end
  put(q, "tz", pick(ZONES))
  return q
end

-- The next question, as a path under prefix ("/api/v1/groups", "/groups").
function Gen:path(prefix_)
  local q = math.random() < 0.02 and pathological() or ordinary()
  if #q == 0 then return prefix_ end
  return prefix_ .. "?" .. table.concat(q, "&")
end

-- Defines wrk's hooks for a load of questions under prefix. Each thread
-- remembers the questions it asked (a table of paths: cheap beside a
-- request) and `done` prints, once, how many had been asked before. The
-- counts are globals of the thread's own Lua state, which `thread:get`
-- reads, so no `response` hook is needed (wrk would parse every answer for
-- it).
function gen.wrk(prefix_)
  local threads = {}
  local seed = tonumber(os.getenv("KITH_BENCH_SEED") or "") or 23

  function _G.setup(thread)
    threads[#threads + 1] = thread
    thread:set("thread_number", #threads)
  end

  local g, seen
  function _G.init()
    -- thread_number was set by setup in this thread's own Lua state.
    g = gen.new(seed * 1000003 + (_G.thread_number or 1) * 7919)
    seen = {}
    _G.asked, _G.repeated = 0, 0
  end

  function _G.request()
    local path = g:path(prefix_)
    _G.asked = _G.asked + 1
    if seen[path] then _G.repeated = _G.repeated + 1 else seen[path] = true end
    return wrk.format("GET", path)
  end

  function _G.done()
    local total, again = 0, 0
    for _, thread in ipairs(threads) do
      total = total + (thread:get("asked") or 0)
      again = again + (thread:get("repeated") or 0)
    end
    if total > 0 then
      io.write(string.format("questions: %d, asked before: %d (%.2f%%), seed %d\n",
        total, again, 100 * again / total, seed))
    end
  end
end

return gen
