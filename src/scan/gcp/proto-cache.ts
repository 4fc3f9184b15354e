/**
 * Every Compute client's `initialize()` hands gax the same 11.7 MB protos JSON, and gax
 * (5.0.x fallback/REST) finds its cached proto root by `objectHash(JSON.stringify(json))`:
 * about a second of blocked event loop per client on a loaded machine, six clients for the
 * six listed GCP types. Blocked that long, the first cycle's AWS requests in flight can pass
 * their timeouts. This remembers gax's answer per JSON object (the one `require`d object
 * every client passes), so only the first client pays.
 *
 * PINNED like aggregated-page.ts: it wraps the static `GrpcClient.protobufFromJSON(json,
 * ignoreCache)` of gax 5.0.x, reached through a client's `_gaxGrpc`. Where that shape is not
 * found nothing is wrapped (clients work, only slower); `ignoreCache` calls pass through.
 */
type FromJson = (json: unknown, ignoreCache?: boolean) => unknown;

const wrapped = new WeakSet<object>();

export function shareProtoRoots(client: object): void {
  const grpc = (client as { _gaxGrpc?: unknown })._gaxGrpc;
  if (typeof grpc !== 'object' || grpc === null) return;
  const ctor = grpc.constructor as unknown as { protobufFromJSON?: unknown };
  const original = ctor.protobufFromJSON;
  if (typeof original !== 'function' || wrapped.has(ctor)) return;
  const byJson = new WeakMap<object, unknown>();
  const call = (original as FromJson).bind(ctor);
  ctor.protobufFromJSON = (json: unknown, ignoreCache = false): unknown => {
    if (ignoreCache || typeof json !== 'object' || json === null) return call(json, ignoreCache);
    let root = byJson.get(json);
    if (root === undefined) {
      root = call(json, false);
      byJson.set(json, root);
    }
    return root;
  };
  wrapped.add(ctor);
}
