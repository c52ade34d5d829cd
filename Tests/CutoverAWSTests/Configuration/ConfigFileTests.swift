import CutoverAWS
import Testing

@Suite struct ConfigFileTests {
    @Test func readsSectionsSettingsAndNestedGroups() throws {
        let file = try ConfigFile.parse("""
            # a comment
            [default]
            region = eu-west-1
            Output=json

            [profile dev]
            region: us-west-2
            endpoint_url = http://localhost:4566
            services = local
            ; another comment
            [services local]
            elastic_load_balancing_v2 =
              endpoint_url = http://127.0.0.1:5000
            s3 =
              endpoint_url = http://127.0.0.1:5001
              addressing_style = path
            """, path: "config")
        #expect(file.sections["default"]?.settings == ["region": "eu-west-1", "output": "json"])
        #expect(file.sections["profile dev"]?.settings["region"] == "us-west-2")
        #expect(file.sections["profile dev"]?.settings["endpoint_url"] == "http://localhost:4566")
        #expect(file.sections["services local"]?.groups["elastic_load_balancing_v2"] == ["endpoint_url": "http://127.0.0.1:5000"])
        #expect(file.sections["services local"]?.groups["s3"] == ["endpoint_url": "http://127.0.0.1:5001", "addressing_style": "path"])
    }

    /// botocore keeps a `#` inside a value: only whole-line comments exist.
    @Test func keepsInlineHashesAndHandlesCRLF() throws {
        let file = try ConfigFile.parse("[default]\r\naws_secret_access_key = abc#def \r\n", path: "credentials")
        #expect(file.sections["default"]?.settings["aws_secret_access_key"] == "abc#def")
    }

    @Test func reportsTheLineOfAMalformedLine() {
        #expect(throws: AWSConfigurationError.malformedFile(path: "cfg", line: 3, message: "expected `name = value` or a [section] header")) {
            try ConfigFile.parse("[default]\nregion = x\nthis is not a setting\n", path: "cfg")
        }
        #expect(throws: AWSConfigurationError.malformedFile(path: "cfg", line: 1, message: "setting before any [section] header")) {
            try ConfigFile.parse("region = x\n", path: "cfg")
        }
        #expect(throws: AWSConfigurationError.malformedFile(path: "cfg", line: 2, message: "section header without ']'")) {
            try ConfigFile.parse("\n[default\n", path: "cfg")
        }
    }
}
