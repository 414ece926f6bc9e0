-- wrk script for registry-bench.sh: GET one image manifest over and over.
--
-- The URL (…/v2/<name>/manifests/<tag>) comes from the wrk command line. The request asks for
-- the OCI image manifest media type, as a client resolving a tag would. At the end one
-- machine-readable line is printed for the bench script to parse:
--   BENCH requests=N rps=R p50_ms=A p99_ms=B non2xx=C sockerr=D

wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d sockerr=%d\n",
    summary.requests,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    e.status,
    e.connect + e.read + e.write + e.timeout))
end
