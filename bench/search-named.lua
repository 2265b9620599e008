-- The 16 named directory API questions, the search mix before issue 23 and
-- now a second, labelled row beside the varied mix (bench/search-mix.lua):
-- common and rare words, prefixes, filters by format, day, time of day and
-- zone, "starting within", "in progress", language and place, and later
-- pages. wrk cycles through them in order, so with a result cache on they
-- measure the cache; bench/run loads them with it off.
local paths = {
  "/api/v1/groups?q=tapering",                                  -- ~16% of groups
  "/api/v1/groups?q=quill1234",                                 -- rare: ~0.02%
  "/api/v1/groups?format=video",
  "/api/v1/groups?q=we",                                        -- ~64% of groups
  "/api/v1/groups?day=2&time=evening&tz=Europe/Berlin",
  "/api/v1/groups?q=cameras&format=phone",
  "/api/v1/groups?starts_within=120&tz=America/New_York",
  "/api/v1/groups?q=quill12",                                   -- rare prefix: ~0.2%
  "/api/v1/groups?page=5",
  "/api/v1/groups?in_progress=true",
  "/api/v1/groups?language=de&day=4&tz=Asia/Kolkata",
  "/api/v1/groups?q=peer&page=3",
  "/api/v1/groups?focus=hearing_voices&time=morning&tz=Australia/Adelaide",
  "/api/v1/groups?country=GB&format=in_person",
  "/api/v1/groups?q=tap&attribute=newcomer_friendly",
  "/api/v1/groups",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
