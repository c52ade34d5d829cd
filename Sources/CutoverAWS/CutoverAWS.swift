// CutoverAWS: AWS over the wire, written here (no AWS SDK for Swift is used).
//
// Layers, bottom up:
// - Transport: `HTTPRequest`/`HTTPResponse`, `HTTPTransport` and `CurlTransport`
//   (libcurl, blocking, one handle per thread at a time).
// - Signing: `SigV4Signer` (OpenSSL's libcrypto for SHA-256 and HMAC), `URIEncoding`.
// - Configuration: `AWSConfiguration.resolve(environment:profile:region:)` runs the
//   credential chain (`CredentialChain`), the region chain and reads the endpoint
//   settings (`EndpointSettings`: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, the
//   profile's endpoint_url and services section).
// - Credentials: the sources past static keys (assumed roles, web identity, IAM Identity
//   Center, credential_process, the container endpoint, EC2 instance metadata), each a
//   `CredentialsProvider`; `RefreshingCredentials` caches temporary ones and fetches them
//   again before they expire, so the client signs each request with current ones.
// - Provider: what the `aws` provider deploys with (`AWSExecutor` for Lambda and ECS,
//   `AWSServerExecutor` with `InstanceScripts` and `RevisionBundle` for servers).
// - Client: `AWSClient.send` signs, sends, retries (`RetryPolicy`, `AWSOperation
//   .idempotent`) and decodes error answers (`AWSErrorDecoder` → `AWSError`); the
//   protocol entry points `query`, `json`, `rest`, `restJSON`, `restXML` encode
//   requests and decode answers (`QueryValue`, `JSON`, `XMLTree`).
// - Services: small structs wrapping a client, one method per operation.
//
// Adding an operation to a service is a few lines in Services/<Service>.swift: an
// `AWSOperation` (name; `idempotent:` when it is not a Describe/Get/List/Head but is safe
// to repeat, such as a call with a client token), the protocol call with its
// parameters, and reading the answer:
//
//     public func describeTargetGroups(names: [String]) throws -> [XMLTree] {
//         try client.query(AWSOperation(.elbv2, "DescribeTargetGroups"),
//                          ["Names": .list(names.map(QueryValue.string))]).list("TargetGroups")
//     }
//     public func updateAlias(function: String, alias: String, weights: [String: Double]) throws -> JSON {
//         try client.restJSON(AWSOperation(.lambda, "UpdateAlias", idempotent: true), method: "PUT",
//                             path: URIEncoding.path("2015-03-31", "functions", function, "aliases", alias),
//                             body: ["RoutingConfig": ["AdditionalVersionWeights": .object(weights.mapValues(JSON.number))]])
//     }
//
// Adding a service is one `AWSService` static (Client/AWSService.swift: its name for
// messages, AWS's service id, endpoint prefix, signing name and wire protocol, all in
// its botocore model's metadata) and a struct in Services/ like `STS`.
//
// Names in requests are the wire names of the service's model (EC2's `Filter.N`,
// ELBv2's `Names.member.N`), and answers are read by their XML or JSON names.
