-- Argo CD health check for exkey.io/ExchangeKey (docs/gitops.md). Argo CD runs it on the live
-- object: Degraded when exkey reports a failure, Progressing while a key is being issued or
-- rotated (or exkey has not caught up with the spec yet), Healthy when the key is Ready.
local hs = {}

local function condition(name)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == name then
      return c
    end
  end
  return nil
end

local function describe(c)
  local text = c.reason or ""
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end

local ready = condition("Ready")
local degraded = condition("Degraded")
local generation = obj.metadata.generation
local observed = obj.status and obj.status.observedGeneration

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for exkey to reconcile the key"
  return hs
end
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded)
  return hs
end
if ready.status ~= "True" and ready.reason ~= "Issuing" and ready.reason ~= "AwaitingHuman" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "exkey has not yet acted on the latest spec"
  return hs
end
if obj.status.rotation ~= nil then
  hs.status = "Progressing"
  hs.message = "Rotating (" .. (obj.status.rotation.reason or "") .. "): " .. obj.status.rotation.phase .. " version " .. tostring(obj.status.rotation.version)
  return hs
end
if ready.status ~= "True" then
  hs.status = "Progressing"
  hs.message = describe(ready)
  return hs
end
hs.status = "Healthy"
hs.message = describe(ready)
return hs
