import CutoverAWS
import Testing

/// Error answers of each protocol, from sample bodies (AWS's documented shapes and
/// what moto 5.2.1 sends), decoded by the one decoder.
@Suite struct ErrorDecodingTests {
    func decode(_ service: AWSService, _ operation: String, status: Int, _ body: String, headers: HTTPHeaders = [:]) -> AWSError {
        AWSErrorDecoder.decode(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), service: service, operation: operation)
    }

    @Test func queryProtocol() {
        let error = decode(.elbv2, "DescribeTargetGroups", status: 400, """
            <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error>
              <RequestId>1234-abcd</RequestId>
            </ErrorResponse>
            """)
        #expect(error.code == "TargetGroupNotFound")
        #expect(error.status == 400)
        #expect(error.requestID == "1234-abcd")
        #expect(error.description == "ELBv2 DescribeTargetGroups: TargetGroupNotFound — One or more target groups not found (request 1234-abcd)")
    }

    @Test func ec2() {
        let error = decode(.ec2, "DescribeInstances", status: 400, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>
            """)
        #expect(error.code == "InvalidInstanceID.NotFound")
        #expect(error.message == "The instance ID 'i-1' does not exist")
        #expect(error.requestID == "ea966190-f9aa-478e-9ede-example")
    }

    @Test func json11() {
        let error = decode(.ecs, "DescribeServices", status: 400, #"{"__type":"ClusterNotFoundException","message":"Cluster not found.","Message":"Cluster not found."}"#,
                           headers: ["x-amzn-RequestId": "req-9", "X-Amzn-Errortype": "ClusterNotFoundException"])
        #expect(error.code == "ClusterNotFoundException")
        #expect(error.message == "Cluster not found.")
        #expect(error.requestID == "req-9")
    }

    /// JSON 1.0 codes carry a namespace (`GraniteServiceVersion20100801#ResourceNotFound`),
    /// and the header form can carry a URL after a colon.
    @Test func json10WithANamespacedType() {
        let error = decode(.cloudWatch, "SetAlarmState", status: 404,
                           #"{"__type":"GraniteServiceVersion20100801#ResourceNotFound","message":"Alarm x not found"}"#)
        #expect(error.code == "ResourceNotFound")
        let fromHeader = decode(.ssm, "SendCommand", status: 400, #"{"Message":"bad"}"#,
                                headers: ["X-Amzn-ErrorType": "InvalidDocument:http://internal.amazon.com/coral/com.amazonaws.ssm/"])
        #expect(fromHeader.code == "InvalidDocument")
        #expect(fromHeader.message == "bad")
    }

    @Test func restJSON() {
        let error = decode(.lambda, "GetAlias", status: 404,
                           #"{"Type":"User","Message":"Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:f:live"}"#,
                           headers: ["X-Amzn-ErrorType": "ResourceNotFoundException", "x-amzn-RequestId": "abc"])
        #expect(error.code == "ResourceNotFoundException")
        #expect(error.description.hasPrefix("Lambda GetAlias: ResourceNotFoundException — Cannot find alias"))
    }

    @Test func restXML() {
        let error = decode(.s3, "GetObject", status: 404, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """)
        #expect(error.code == "NoSuchKey")
        #expect(error.requestID == "4442587FB7D0A2F9")
        let head = decode(.s3, "HeadObject", status: 404, "", headers: ["x-amz-request-id": "R"])
        #expect(head.code == "NotFound")
        #expect(head.requestID == "R")
    }

    /// moto answers a bad signature to a JSON service in XML.
    @Test func xmlErrorFromAJSONService() {
        let error = decode(.ecs, "ListClusters", status: 403, """
            <ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></Errors></ErrorResponse>
            """)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.isAccessDenied)
    }

    @Test func accessDenied() {
        let error = decode(.sts, "GetCallerIdentity", status: 403, """
            <ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>
            """)
        #expect(error.isAccessDenied)
        #expect(!error.isThrottling)
    }

    /// An emulator's unimplemented operation: HTML, no code.
    @Test func anHTMLPageIsSaidToBeOne() {
        let error = decode(.autoScaling, "CompleteLifecycleAction", status: 500, """
            <!doctype html>
            <html lang=en><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>
            """)
        #expect(error.code == nil)
        #expect(error.description == "Auto Scaling CompleteLifecycleAction: HTTP 500 — HTTP 500 with an HTML page instead of an AWS error (an emulator's unimplemented operation?)")
    }

    @Test func plainTextAndEmptyBodies() {
        #expect(decode(.ecs, "X", status: 502, "Bad Gateway").message == "Bad Gateway")
        #expect(decode(.ecs, "X", status: 503, "").code == nil)
        #expect(decode(.ecs, "X", status: 503, "").description == "ECS X: HTTP 503")
    }
}
