import CutoverAWS
import Testing

@Suite struct EndpointTests {
    @Test func awsDefaultsUseEachServicesHostname() throws {
        let settings = EndpointSettings()
        let hosts = try [AWSService.ec2, .autoScaling, .elbv2, .lambda, .ecs, .cloudWatch, .ssm, .sts, .s3].map {
            try settings.endpoint(for: $0, region: "eu-west-1").url
        }
        #expect(hosts == [
            "https://ec2.eu-west-1.amazonaws.com", "https://autoscaling.eu-west-1.amazonaws.com",
            "https://elasticloadbalancing.eu-west-1.amazonaws.com", "https://lambda.eu-west-1.amazonaws.com",
            "https://ecs.eu-west-1.amazonaws.com", "https://monitoring.eu-west-1.amazonaws.com",
            "https://ssm.eu-west-1.amazonaws.com", "https://sts.eu-west-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com",
        ])
        #expect(try settings.endpoint(for: .ec2, region: "cn-north-1").url == "https://ec2.cn-north-1.amazonaws.com.cn")
        let iam = try settings.endpoint(for: .iam, region: "eu-west-1")
        #expect(iam.url == "https://iam.amazonaws.com" && iam.signingRegion == "us-east-1")
    }

    /// The documented service identifiers, as botocore derives them.
    @Test func endpointVariablesUseTheServiceIdentifiers() {
        #expect([AWSService.ec2, .autoScaling, .elbv2, .lambda, .ecs, .cloudWatch, .ssm, .sts, .s3].map(\.environmentKey) == [
            "EC2", "AUTO_SCALING", "ELASTIC_LOAD_BALANCING_V2", "LAMBDA", "ECS", "CLOUDWATCH", "SSM", "STS", "S3",
        ])
    }

    @Test func serviceVariableBeatsGlobalVariableBeatsProfile() throws {
        var settings = EndpointSettings(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
            "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:6000/",
            "UNRELATED": "x",
        ], profileURL: "http://profile:1", profileURLSource: .file(path: "c", section: "default", key: "endpoint_url"))
        let elb = try settings.endpoint(for: .elbv2, region: "us-east-1")
        #expect(elb.url == "http://127.0.0.1:6000")
        #expect(elb.source == .environment("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"))
        #expect(elb.signingRegion == "us-east-1")
        #expect(try settings.endpoint(for: .sts, region: "us-east-1").description == "http://127.0.0.1:5000 (from AWS_ENDPOINT_URL)")
        settings.environment = [:]
        #expect(try settings.endpoint(for: .sts, region: "us-east-1").url == "http://profile:1")
        settings.ignoresConfiguredURLs = true
        #expect(try settings.endpoint(for: .sts, region: "us-east-1").url == "https://sts.us-east-1.amazonaws.com")
    }

    @Test func profileEndpointAndServicesSectionFromTheConfigFile() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config", """
            [profile local]
            region = us-east-1
            aws_access_key_id = K
            aws_secret_access_key = s
            endpoint_url = http://127.0.0.1:4566
            services = emulator

            [services emulator]
            s3 =
              endpoint_url = http://127.0.0.1:9000
            """)
        let configuration = try AWSConfiguration.resolve(environment: ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none"],
                                                         profile: "local")
        #expect(try configuration.endpoint(for: .s3).url == "http://127.0.0.1:9000")
        #expect(try configuration.endpoint(for: .s3).source == .file(path: config, section: "services emulator", key: "s3.endpoint_url"))
        #expect(try configuration.endpoint(for: .ecs).url == "http://127.0.0.1:4566")
    }

    @Test func aBadEndpointURLIsAClearError() {
        let settings = EndpointSettings(environment: ["AWS_ENDPOINT_URL_EC2": "localhost:5000"])
        let error = #expect(throws: AWSConfigurationError.self) { try settings.endpoint(for: .ec2, region: "us-east-1") }
        #expect("\(error!)".contains("endpoint 'localhost:5000' (from AWS_ENDPOINT_URL_EC2) is not usable"))
    }
}
