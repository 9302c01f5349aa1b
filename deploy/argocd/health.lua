-- Argo CD health check for openapi.rainbond.io/AppCopy. Argo CD runs it in gopher-lua (Lua 5.1)
-- with the live object in the global `obj`, and reads {status, message} from its answer.
-- Only the base, table and package libraries are there (no string, math or global os; no
-- ("text"):method() calls), so the script uses nothing else: anything else makes the health
-- Unknown in Argo CD, and fails the tests, which run it in the same environment.
--
-- It reads only what the operator writes: status.observedGeneration and the conditions
-- Ready, Reconciling and Stalled (the kstatus trio), ComponentsReady and Deleting.
--   being deleted                                   -> Progressing (Deleting, or the finalizers, say what it waits for)
--   no status yet, or status of an older generation -> Progressing
--   Stalled=True (a Failed copy, or copies that failed to run) -> Degraded
--   Reconciling=True (copying, verifying, waiting for credentials or the console,
--     copies still building)                        -> Progressing
--   Ready=True and the copies run (or are not followed)        -> Healthy
-- The same script is in argocd-cm-patch.yaml; a unit test keeps the two identical.

local function findCondition(conditions, conditionType)
  if type(conditions) ~= "table" then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if type(condition) == "table" and condition.type == conditionType then
      return condition
    end
  end
  return nil
end

-- "Reason: message", or whichever of the two is set, or the fallback.
local function describe(condition, fallback)
  if condition == nil then
    return fallback
  end
  local reason = condition.reason or ""
  local message = condition.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  if message ~= "" then
    return message
  end
  if reason ~= "" then
    return reason
  end
  return fallback
end

local function health(status, message)
  return { status = status, message = message }
end

local function assess(object)
  local metadata = object.metadata or {}
  local status = object.status
  local conditions = nil
  if type(status) == "table" then
    conditions = status.conditions
  end

  -- Being deleted. Argo CD up to 3.5 answers Progressing "Pending deletion" itself and never runs
  -- a health script then (argoproj/argo-cd:gitops-engine/pkg/health/health.go@v3.5.1,
  -- GetResourceHealth). From 3.6 it runs the script and shows its answer (argoproj/argo-cd#27596),
  -- so this branch says what the deletion waits for: the operator's Deleting condition when it
  -- has written one, else the finalizers, in the words Argo CD 3.6 uses for resources without a check.
  if metadata.deletionTimestamp ~= nil then
    local deleting = findCondition(conditions, "Deleting")
    if deleting ~= nil then
      return health("Progressing", "Pending deletion: " .. describe(deleting, "deleting the copies"))
    end
    if type(metadata.finalizers) == "table" and #metadata.finalizers > 0 then
      return health("Progressing", "Pending deletion; blocked by finalizers: " .. table.concat(metadata.finalizers, ", "))
    end
    return health("Progressing", "Pending deletion")
  end

  local ready = findCondition(conditions, "Ready")
  if ready == nil then
    return health("Progressing", "Waiting for the AppCopy operator to report status")
  end

  local observed = status.observedGeneration
  if metadata.generation ~= nil and observed ~= nil and observed ~= metadata.generation then
    return health("Progressing", "Waiting for the AppCopy operator to observe generation "
      .. tostring(metadata.generation) .. " (status is for generation " .. tostring(observed) .. ")")
  end

  local stalled = findCondition(conditions, "Stalled")
  if stalled ~= nil and stalled.status == "True" then
    return health("Degraded", describe(stalled, "stalled"))
  end
  if status.phase == "Failed" then
    return health("Degraded", describe(ready, "the copy failed"))
  end

  local reconciling = findCondition(conditions, "Reconciling")
  if reconciling ~= nil and reconciling.status == "True" then
    return health("Progressing", describe(reconciling, "reconciling"))
  end

  if ready.status ~= "True" then
    return health("Progressing", describe(ready, "not ready yet"))
  end

  -- Copied. ComponentsReady is absent when the operator does not follow the copies.
  local components = findCondition(conditions, "ComponentsReady")
  if components == nil or components.status == "True" then
    return health("Healthy", describe(components or ready, "copied"))
  end
  if components.status == "Unknown" or components.reason == "ComponentsStarting" then
    return health("Progressing", describe(components, "waiting for the copies to run"))
  end
  return health("Degraded", describe(components, "the copies do not run"))
end

return assess(obj)
