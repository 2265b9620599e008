-- The directory API search mix: varied, seeded, nearly every question new
-- (bench/search-gen.lua says how). The 16 fixed questions it replaced are
-- bench/search-named.lua.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
dofile(here .. "search-gen.lua").wrk("/api/v1/groups")
