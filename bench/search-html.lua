-- The directory HTML page (/groups) under the same varied, seeded questions
-- as the API mix (bench/search-gen.lua).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
dofile(here .. "search-gen.lua").wrk("/groups")
