/// A deployment's status, with CodeDeploy's names (reference §8.1).
/// The path: Created → InProgress → (Ready) → Succeeded | Failed | Stopped.
public enum DeploymentStatus: String, Sendable, Codable, CaseIterable {
    case created = "Created"
    case queued = "Queued"
    case inProgress = "InProgress"
    case baking = "Baking"
    case ready = "Ready"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case stopped = "Stopped"

    public var isFinal: Bool { self == .succeeded || self == .failed || self == .stopped }
}

/// A target's status within a deployment (reference §8.2).
public enum TargetStatus: String, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case inProgress = "InProgress"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case skipped = "Skipped"
    case unknown = "Unknown"
    case ready = "Ready"
}

/// A lifecycle event's status on one target (reference §8.2).
public enum LifecycleEventStatus: String, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case inProgress = "InProgress"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case skipped = "Skipped"
    case unknown = "Unknown"
}

/// Why one lifecycle event failed on a target (reference §8.2, the agent's codes).
public enum LifecycleErrorCode: String, Sendable, Codable, CaseIterable {
    case success = "Success"
    case scriptMissing = "ScriptMissing"
    case scriptNotExecutable = "ScriptNotExecutable"
    case scriptTimedOut = "ScriptTimedOut"
    case scriptFailed = "ScriptFailed"
    case unknownError = "UnknownError"
    case outputsLeftOpen = "OutputsLeftOpen"
    case failedAfterRestart = "FailedAfterRestart"
}

/// Why a deployment failed or stopped (`errorInformation.code`, reference §8.3).
public enum DeploymentErrorCode: String, Sendable, Codable, CaseIterable {
    case agentIssue = "AGENT_ISSUE"
    case alarmActive = "ALARM_ACTIVE"
    case applicationMissing = "APPLICATION_MISSING"
    case autoscalingValidationError = "AUTOSCALING_VALIDATION_ERROR"
    case autoScalingConfiguration = "AUTO_SCALING_CONFIGURATION"
    case autoScalingIAMRolePermissions = "AUTO_SCALING_IAM_ROLE_PERMISSIONS"
    case codeDeployResourceCannotBeFound = "CODEDEPLOY_RESOURCE_CANNOT_BE_FOUND"
    case customerApplicationUnhealthy = "CUSTOMER_APPLICATION_UNHEALTHY"
    case deploymentGroupMissing = "DEPLOYMENT_GROUP_MISSING"
    case ecsUpdateError = "ECS_UPDATE_ERROR"
    case invalidECSService = "INVALID_ECS_SERVICE"
    case elasticLoadBalancingInvalid = "ELASTIC_LOAD_BALANCING_INVALID"
    case elbInvalidInstance = "ELB_INVALID_INSTANCE"
    case missingELBInformation = "MISSING_ELB_INFORMATION"
    case healthConstraints = "HEALTH_CONSTRAINTS"
    case healthConstraintsInvalid = "HEALTH_CONSTRAINTS_INVALID"
    case hookExecutionFailure = "HOOK_EXECUTION_FAILURE"
    case iamRoleMissing = "IAM_ROLE_MISSING"
    case iamRolePermissions = "IAM_ROLE_PERMISSIONS"
    case internalError = "INTERNAL_ERROR"
    case invalidLambdaConfiguration = "INVALID_LAMBDA_CONFIGURATION"
    case invalidLambdaFunction = "INVALID_LAMBDA_FUNCTION"
    case invalidRevision = "INVALID_REVISION"
    case revisionMissing = "REVISION_MISSING"
    case manualStop = "MANUAL_STOP"
    case missingBlueGreenDeploymentConfiguration = "MISSING_BLUE_GREEN_DEPLOYMENT_CONFIGURATION"
    case noInstances = "NO_INSTANCES"
    case overMaxInstances = "OVER_MAX_INSTANCES"
    case resourceLimitExceeded = "RESOURCE_LIMIT_EXCEEDED"
    case throttled = "THROTTLED"
    case timeout = "TIMEOUT"
}

/// Who started a deployment (reference §8.4).
public enum DeploymentCreator: String, Sendable, Codable, CaseIterable {
    case user
    case autoscaling
    case autoscalingTermination
    case codeDeployRollback
    case codeDeployAutoUpdate = "CodeDeployAutoUpdate"
    case codeDeploy = "CodeDeploy"
    case cloudFormation = "CloudFormation"
    case cloudFormationRollback = "CloudFormationRollback"
}
