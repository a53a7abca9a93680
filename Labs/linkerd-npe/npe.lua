-- What linkerd-npe's steps and its grader both read from the world: which linkerds threw, which
-- have no discovery, and which Endpoints linkerd 0.9.1 cannot list.
local npe = {}

-- The namespaces the mini-bank's linkerds route.
npe.routed = { "edge", "cards", "accounts", "ledger" }

-- The running linkerds whose namer for `namespace` threw NullPointerException (a count a namer
-- keeps until its linkerd restarts), as node names.
function npe.thrown_on(world, namespace)
  local nodes = {}
  for _, proxy in ipairs(world.mesh.proxies()) do
    if proxy.running then
      for _, view in ipairs(world.mesh.discovery(proxy.node)) do
        if view.namespace == namespace and view.null_pointer_exceptions > 0 then nodes[#nodes + 1] = proxy.node end
      end
    end
  end
  return nodes
end

-- The running linkerds with no discovery cache for some namespace, as "node-3 accounts".
function npe.failing_discovery(world)
  local failing = {}
  for _, proxy in ipairs(world.mesh.proxies()) do
    if proxy.running then
      for _, view in ipairs(world.mesh.discovery(proxy.node)) do
        if view.state == "failed" then failing[#failing + 1] = proxy.node .. " " .. view.namespace end
      end
    end
  end
  return failing
end

-- The Endpoints in routed namespaces written as `subsets: null` (etcd's committed truth), as
-- "namespace/name".
function npe.null_endpoints(world)
  local found = {}
  for _, namespace in ipairs(npe.routed) do
    for _, endpoints in ipairs(world.truth.k8s.get("endpoints", nil, { namespace = namespace })) do
      if endpoints.subsets == nil then found[#found + 1] = namespace .. "/" .. endpoints.metadata.name end
    end
  end
  return found
end

-- Whether every running linkerd reads null subsets safely (1.0.0 and later: linkerd#1223).
function npe.all_fixed(world)
  for _, proxy in ipairs(world.mesh.proxies()) do
    if proxy.running and proxy.version:match("^0%.") then return false end
  end
  return true
end

return npe
