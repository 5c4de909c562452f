-- Lua's string hash is seeded from the clock and addresses: table layout and
-- so the instruction count depend on them.
local t = {}
for i = 1, 200 do t["key" .. i] = i end
local n = 0
for k, v in pairs(t) do n = n + v end
print(n)
