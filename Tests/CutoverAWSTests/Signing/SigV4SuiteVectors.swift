// AWS's published SigV4 test suite, as carried by awslabs/aws-c-auth in
// tests/aws-signing-test-suite/v4/<name>/ (Apache-2.0; the suite's NOTICE credits
// Amazon.com). Each vector is the suite's header-signed-request.txt, verbatim: the
// request, its Authorization header and its X-Amz-Date. Where a case's context.json
// differs from the suite's defaults (credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1, service "service",
// 2015-08-30T12:36:00Z, paths normalized, payload hashed), the difference is given.
//
// Left out: get-header-value-multiline (header folding, which no AWS service needs)
// and get-space-unnormalized (its file carries an x-amz-content-sha256 header that
// its signature does not cover).

/// One vector of the suite.
struct SigV4SuiteVector: Sendable, CustomStringConvertible {
    let name: String
    let signedRequest: String
    var normalize = true
    var sessionToken: String?
    var unsignedPayload = false

    var description: String { name }
}

let sigV4SuiteVectors: [SigV4SuiteVector] = [
    // get-vanilla: the suite's first case; its signature also closes get-slash-dot-slash
    // and get-relative-relative when normalized.
    SigV4SuiteVector(name: "get-vanilla", signedRequest: """
        GET / HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-vanilla-with-session-token", signedRequest: """
        GET / HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8
        X-Amz-Date:20150830T123600Z
        X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267


        """, sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
    SigV4SuiteVector(name: "get-utf8", signedRequest: """
        GET /ሴ HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-space-normalized", signedRequest: """
        GET /example space/ HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-unreserved", signedRequest: """
        GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-slashes-normalized", signedRequest: """
        GET //example// HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-slashes-unnormalized", signedRequest: """
        GET //example// HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5
        X-Amz-Date:20150830T123600Z


        """, normalize: false),
    SigV4SuiteVector(name: "get-relative-relative-normalized", signedRequest: """
        GET /example1/example2/../.. HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-relative-relative-unnormalized", signedRequest: """
        GET /example1/example2/../.. HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b
        X-Amz-Date:20150830T123600Z


        """, normalize: false),
    SigV4SuiteVector(name: "get-slash-dot-slash-normalized", signedRequest: """
        GET /./ HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-slash-dot-slash-unnormalized", signedRequest: """
        GET /./ HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145
        X-Amz-Date:20150830T123600Z


        """, normalize: false),
    SigV4SuiteVector(name: "get-vanilla-query-order-key-case", signedRequest: """
        GET /?Param2=value2&Param1=value1 HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-vanilla-query-order-encoded", signedRequest: """
        GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-vanilla-query-unreserved", signedRequest: """
        GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-vanilla-utf8-query", signedRequest: """
        GET /?ሴ=bar HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-vanilla-empty-query-key", signedRequest: """
        GET /?Param1=value1 HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-header-value-trim", signedRequest: """
        GET / HTTP/1.1
        Host:example.amazonaws.com
        My-Header1: value1
        My-Header2: "a   b   c"
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-header-key-duplicate", signedRequest: """
        GET / HTTP/1.1
        Host:example.amazonaws.com
        My-Header1:value2
        My-Header1:value2
        My-Header1:value1
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "get-header-value-order", signedRequest: """
        GET / HTTP/1.1
        Host:example.amazonaws.com
        My-Header1:value4
        My-Header1:value1
        My-Header1:value3
        My-Header1:value2
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "post-header-key-sort", signedRequest: """
        POST / HTTP/1.1
        Host:example.amazonaws.com
        My-Header1:value1
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c
        X-Amz-Date:20150830T123600Z


        """),
    SigV4SuiteVector(name: "post-vanilla-query", signedRequest: """
        POST /?Param1=value1 HTTP/1.1
        Host:example.amazonaws.com
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11
        X-Amz-Date:20150830T123600Z


        """),
    // The body's SHA-256 sent as x-amz-content-sha256 and signed.
    SigV4SuiteVector(name: "post-x-www-form-urlencoded", signedRequest: """
        POST / HTTP/1.1
        Content-Type:application/x-www-form-urlencoded
        Host:example.amazonaws.com
        Content-Length:13
        x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b
        X-Amz-Date:20150830T123600Z

        Param1=value1
        """),
    // context.json: "signed_body_value": "UNSIGNED-PAYLOAD".
    SigV4SuiteVector(name: "post-unsigned-payload", signedRequest: """
        POST / HTTP/1.1
        Host:example.amazonaws.com
        Content-Length:13
        X-Amz-Date:20150830T123600Z
        x-amz-content-sha256:UNSIGNED-PAYLOAD
        Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date, Signature=9fb60e8938d2178a7d63b49e055d1e65d8f6226f38846e8e0293bf43ce29050c

        Param1=value1

        """, unsignedPayload: true),
]

/// post-unsigned-payload's header-canonical-request.txt, from the same suite.
let postUnsignedPayloadCanonicalRequest = """
    POST
    /

    content-length:13
    host:example.amazonaws.com
    x-amz-content-sha256:UNSIGNED-PAYLOAD
    x-amz-date:20150830T123600Z

    content-length;host;x-amz-content-sha256;x-amz-date
    UNSIGNED-PAYLOAD
    """
