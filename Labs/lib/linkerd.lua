-- Helpers over the audit log for labs on a platform with linkerd (require "linkerd").
local linkerd = {}

-- Whether an action restarted a linkerd, however it was done: mesh.restart, or deleting (or
-- draining) its pod through kubectl or k8s.
function linkerd.restarts_linkerd(action)
  return action.kind == "pods" and action.namespace == "linkerd" and action.outcome == "done"
    and (action.verb == "restart" or action.verb == "delete" or action.verb == "drain")
end

return linkerd
