-- wrk script: POST the images given after "--" to /v1/classify in turn (one body per request).
local bodies = {}
local next_body = 0

function init(args)
  for _, path in ipairs(args) do
    local f = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  assert(#bodies > 0, "give image paths after --")
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/classify?top_k=1", {["Content-Type"] = "application/octet-stream"},
                    bodies[next_body])
end
