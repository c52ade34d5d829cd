import CutoverCore
import Foundation

/// The POSIX sh scripts a server deployment sends to an instance through SSM Run
/// Command (`AWS-RunShellScript`), one per lifecycle event: they do on the instance
/// what the CodeDeploy agent does (reference §2.3–2.6, §5.6, §15), in the agent's
/// layout under `root` (its own root, so a real agent on the same instance is not
/// disturbed):
///
/// ```
/// <root>/<group id>/<deployment id>/bundle.tar.gz
///                                   deployment-archive/      the unpacked revision
///                                   logs/scripts.log
///                                   cutover/<Event>.sh       the event's hook runner
/// <root>/deployment-instructions/<group id>-cleanup          what the last Install put there
///                                <group id>_last_successful_install
///                                <group id>_most_recent_install
/// ```
///
/// What the agent does and these scripts do not: SELinux contexts (`context` in
/// `permissions`) are reported, not applied; ACL entries are added with `setfacl -m`
/// (the agent replaces the whole ACL with `setfacl --set`); no `<group id>-install.json`
/// is written and a cleanup file cut short by a crash is read as it is; old deployment
/// directories are not pruned to the last five; `sudo: true` hooks run as `runas` or as
/// the SSM agent's user (root), like the others; output is logged without the agent's
/// `[stdout]`/`[stderr]` prefixes; a script leaving its output open is not detected
/// (its output goes to a file, so it cannot hang the event).
public struct InstanceScripts: Sendable, Equatable {
    /// The deployment root on the instance.
    public var root: String
    public var groupID: String
    public var deploymentID: String

    public static let defaultRoot = "/opt/cutover/deployment-root"

    public init(root: String = defaultRoot, groupID: String, deploymentID: String) {
        self.root = root
        self.groupID = groupID
        self.deploymentID = deploymentID
    }

    /// `<root>/<group id>/<deployment id>`.
    public var deploymentDirectory: String { "\(root)/\(groupID)/\(deploymentID)" }
    public var archiveDirectory: String { deploymentDirectory + "/deployment-archive" }
    public var instructionsDirectory: String { root + "/deployment-instructions" }
    public var cleanupFile: String { "\(instructionsDirectory)/\(groupID)-cleanup" }
    public var lastSuccessfulInstallFile: String { "\(instructionsDirectory)/\(groupID)_last_successful_install" }

    /// The line a script prints last to say how it ended: `cutover: CODE: message`,
    /// CODE a `LifecycleErrorCode` or `Skipped`.
    public static let markerPrefix = "cutover: "

    // MARK: - DownloadBundle

    /// Fetches the bundle (a tar.gz) from `url` (a presigned S3 GET) with curl or wget,
    /// unpacks it into `deployment-archive`, leaves a hook runner per event of `appSpec`
    /// that has scripts, and records the deployment as the group's most recent install.
    public func downloadBundle(url: String, appSpec: ServerAppSpec) -> String {
        var s = """
            set -u
            D=\(quote(deploymentDirectory))
            fail() { echo "\(Self.markerPrefix)$1: $2"; exit 1; }
            rm -rf "$D/deployment-archive" "$D/cutover"
            mkdir -p "$D/deployment-archive" "$D/logs" "$D/cutover" \(quote(instructionsDirectory)) || fail UnknownError "cannot create $D"
            U=\(quote(url))
            if command -v curl >/dev/null 2>&1; then
              curl -fsS --retry 3 -o "$D/bundle.tar.gz" "$U" || fail UnknownError "curl could not fetch the bundle"
            elif command -v wget >/dev/null 2>&1; then
              wget -q -O "$D/bundle.tar.gz" "$U" || fail UnknownError "wget could not fetch the bundle"
            else
              fail UnknownError "the instance has neither curl nor wget to fetch the bundle"
            fi
            tar -xzf "$D/bundle.tar.gz" -C "$D/deployment-archive" || fail UnknownError "the bundle is not a tar.gz archive"

            """
        for (event, scripts) in appSpec.hooks.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !scripts.isEmpty {
            s += "cat > \"$D/cutover/\(event.rawValue).sh\" <<'CUTOVER_END_OF_RUNNER'\n"
            s += hookRunner(scripts)
            s += "CUTOVER_END_OF_RUNNER\n"
        }
        s += "printf '%s\\n' \"$D\" > \(quote("\(instructionsDirectory)/\(groupID)_most_recent_install"))\n"
        s += "echo \"bundle unpacked in $D/deployment-archive\"\n"
        return s
    }

    /// Runs an event's scripts in order from the deployment's archive (the runner's own
    /// directory), each with its timeout (`timeout` signals the script's whole process
    /// group, as the agent does) and as `runas`; the first failure ends the event. The
    /// agent's variables come from the event command (`hookEvent`).
    func hookRunner(_ scripts: [HookScript]) -> String {
        var s = """
            D=$(cd "$(dirname "$0")/.." && pwd)
            A="$D/deployment-archive"
            cd /
            run() {
              p="$A/$1"
              if [ ! -f "$p" ]; then echo "\(Self.markerPrefix)ScriptMissing: script at specified location: $1 does not exist in the revision"; exit 1; fi
              if [ ! -x "$p" ]; then chmod +x "$p" 2>/dev/null || { echo "\(Self.markerPrefix)ScriptNotExecutable: $1 is not executable"; exit 1; }; fi
              out=$(mktemp)
              if [ -n "$3" ]; then
                timeout "$2" su "$3" -c "$p" >"$out" 2>&1 </dev/null
              else
                timeout "$2" "$p" >"$out" 2>&1 </dev/null
              fi
              rc=$?
              cat "$out"
              { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) [$DEPLOYMENT_ID] $LIFECYCLE_EVENT $1 (exit $rc)"; cat "$out"; } >> "$D/logs/scripts.log" 2>/dev/null
              rm -f "$out"
              if [ "$rc" -eq 124 ]; then echo "\(Self.markerPrefix)ScriptTimedOut: $1 ran longer than $2 seconds"; exit 1; fi
              if [ "$rc" -ne 0 ]; then echo "\(Self.markerPrefix)ScriptFailed: $1 exited with status $rc"; exit 1; fi
            }

            """
        for script in scripts {
            s += "run \(quote(Self.relative(script.location))) \(max(1, script.timeout.components.seconds)) \(quote(script.runas ?? ""))\n"
        }
        return s
    }

    // MARK: - Hook events

    /// Runs `event`'s hook runner with the agent's variables (§15.3). Stop-type events
    /// (ApplicationStop, Before/AfterBlockTraffic) take it from this deployment's
    /// archive when there is one, else from the group's last successful install on the
    /// instance, and are skipped (`cutover: Skipped:`) when there is none (§5.6).
    /// `fromLastInstall`: the scripts come from the instance's last successful install
    /// when this deployment put no revision there (stop-type events; a blue/green
    /// rollback's events on the originals); without one the event is skipped.
    public func hookEvent(_ event: LifecycleEvent, application: String, groupName: String,
                          fromLastInstall: Bool? = nil) -> String {
        var s = """
            export LIFECYCLE_EVENT=\(quote(event.rawValue)) DEPLOYMENT_ID=\(quote(deploymentID)) APPLICATION_NAME=\(quote(application))
            export DEPLOYMENT_GROUP_NAME=\(quote(groupName)) DEPLOYMENT_GROUP_ID=\(quote(groupID))
            D=\(quote(deploymentDirectory))

            """
        if fromLastInstall ?? event.usesLastSuccessfulRevision {
            s += "if [ ! -d \"$D/deployment-archive\" ]; then D=$(cat \(quote(lastSuccessfulInstallFile)) 2>/dev/null || true); fi\n"
            s += "if [ -z \"$D\" ] || [ ! -d \"$D/deployment-archive\" ]; then echo \"\(Self.markerPrefix)Skipped: no previous revision on this instance\"; exit 0; fi\n"
        }
        s += "if [ ! -f \"$D/cutover/\(event.rawValue).sh\" ]; then echo \"\(Self.markerPrefix)Skipped: no scripts for \(event.rawValue)\"; exit 0; fi\n"
        s += "sh \"$D/cutover/\(event.rawValue).sh\"\n"
        return s
    }

    // MARK: - Install

    /// The agent's Install (§2.3–2.5, §15.4): removes what the previous Install put
    /// there (listed in the cleanup file, last first; directories only when empty),
    /// copies `files` (a directory source's contents, recursively; a file source into
    /// the destination directory; missing directories created) under
    /// `file_exists_behavior` (the appspec's, else `defaultBehavior`), listing every
    /// file and directory it creates in a new cleanup file, applies `permissions` to
    /// those (mode, ACL, owner and group), and records the deployment as the group's
    /// last successful install.
    public func install(_ appSpec: ServerAppSpec, defaultBehavior: FileExistsBehavior = .disallow) -> String {
        let behavior = appSpec.fileExistsBehavior ?? defaultBehavior
        var s = """
            set -u
            A=\(quote(archiveDirectory))
            C=\(quote(cleanupFile))
            B=\(behavior.rawValue)
            T=$(mktemp)
            trap 'rm -f "$T"' EXIT
            fail() { echo "\(Self.markerPrefix)$1: $2"; exit 1; }
            [ -d "$A" ] || fail UnknownError "no revision in $A (DownloadBundle did not run)"
            mkdir -p \(quote(instructionsDirectory)) || fail UnknownError "cannot create \(instructionsDirectory)"
            if [ -f "$C" ]; then
              awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$C" > "$T"
              while IFS= read -r p; do
                if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p" 2>/dev/null || true; else rm -f "$p"; fi
              done < "$T"
            fi
            : > "$C" || fail UnknownError "cannot write $C"
            installed() { grep -Fxq -- "$1" "$C"; }
            mk_dir() {
              if [ -d "$1" ]; then return 0; fi
              if [ -e "$1" ] || [ -L "$1" ]; then fail UnknownError "$1 exists and is not a directory"; fi
              mkdir "$1" || fail UnknownError "cannot create $1"
              printf '%s\\n' "$1" >> "$C"
            }
            mk_dirs() {
              case "$1" in /|.|"") return 0 ;; esac
              [ -d "$(dirname "$1")" ] || mk_dirs "$(dirname "$1")"
              mk_dir "$1"
            }
            cp_file() {
              if installed "$2"; then fail UnknownError "two files of the appspec go to $2"; fi
              if [ -e "$2" ] || [ -L "$2" ]; then
                if [ -d "$2" ] && [ ! -L "$2" ]; then fail UnknownError "$2 is a directory; a file of the revision goes there"; fi
                case "$B" in
                  DISALLOW) fail UnknownError "a specified file already exists at this location: $2 (file_exists_behavior DISALLOW)" ;;
                  RETAIN) echo "kept $2 (file_exists_behavior RETAIN)"; return 0 ;;
                esac
                rm -f "$2"
              fi
              cp -P -p "$1" "$2" || fail UnknownError "cannot copy $1 to $2"
              printf '%s\\n' "$2" >> "$C"
            }
            copy() {
              s="$A/$1"
              if [ -d "$s" ] && [ ! -L "$s" ]; then
                mk_dirs "$2"
                (cd "$s" && find . ! -name . -print) | LC_ALL=C sort > "$T"
                while IFS= read -r r; do
                  r=${r#./}
                  if [ -d "$s/$r" ] && [ ! -L "$s/$r" ]; then mk_dir "$2/$r"; else cp_file "$s/$r" "$2/$r"; fi
                done < "$T"
              elif [ -e "$s" ] || [ -L "$s" ]; then
                mk_dirs "$2"
                cp_file "$s" "$2/$(basename "$s")"
              else
                fail UnknownError "the revision has no $1 (a files source of the appspec)"
              fi
            }

            """
        for mapping in appSpec.files {
            s += "copy \(quote(Self.relative(mapping.source))) \(quote(Self.normalized(mapping.destination)))\n"
        }
        for permission in appSpec.permissions {
            s += permissionLoop(permission)
        }
        s += "printf '%s\\n' \(quote(deploymentDirectory)) > \(quote(lastSuccessfulInstallFile))\n"
        s += "echo \"$(wc -l < \"$C\" | tr -d ' ') file(s) and directories installed\"\n"
        return s
    }

    /// Applies one `permissions` entry to what this Install created (the cleanup file),
    /// with the agent's matching (§2.5): the object itself when it is an installed file
    /// (and `type` has `file`); otherwise what lies below it, at any depth with the
    /// default pattern, else only names directly below it that match `pattern` and no
    /// `except` (`*` is the only wildcard).
    func permissionLoop(_ p: Permission) -> String {
        let object = Self.normalized(p.object)
        var actions: [String] = []
        if let mode = p.mode {
            let digits = String(mode, radix: 8)
            actions.append("chmod \(String(repeating: "0", count: max(0, 3 - digits.count)) + digits) \"$p\" || fail UnknownError \"chmod $p\"")
        }
        if !p.acls.isEmpty {
            actions.append("setfacl -m \(quote(p.acls.joined(separator: ","))) \"$p\" || fail UnknownError \"setfacl $p\"")
        }
        if let owner = p.owner {
            actions.append("chown \(quote(owner + (p.group.map { ":" + $0 } ?? ""))) \"$p\" || fail UnknownError \"chown $p\"")
        } else if let group = p.group {
            actions.append("chgrp \(quote(group)) \"$p\" || fail UnknownError \"chgrp $p\"")
        }
        var s = ""
        if p.context != nil {
            s += "echo \"SELinux context for \(object) not applied (the agent would use semanage and restorecon)\"\n"
        }
        guard !actions.isEmpty else { return s }
        let types = p.types.map(\.rawValue).sorted().joined(separator: "|")
        let below: String
        if p.pattern == Permission.everything && p.except.isEmpty {
            below = "ok=1"
        } else {
            var c = "case \"$r\" in */*) ;; \(Self.casePattern(p.pattern))) ok=1 ;; esac"
            for excluded in p.except {
                c += "; case \"$r\" in \(Self.casePattern(excluded))) ok=0 ;; esac"
            }
            below = c
        }
        s += """
            while IFS= read -r p; do
              [ -L "$p" ] && continue
              if [ -d "$p" ]; then k=directory; else k=file; fi
              ok=0
              case $k in \(types)) ;; *) continue ;; esac
              if [ "$p" = \(quote(object)) ]; then
                [ "$k" = file ] && ok=1
              else
                case "$p" in \(quote(object == "/" ? "" : object))/*) r=${p#\(quote(object == "/" ? "" : object))/}; \(below) ;; esac
              fi
              [ "$ok" = 1 ] || continue
              \(actions.joined(separator: "\n  "))
            done < "$C"

            """
        return s
    }

    // MARK: - Quoting and paths

    /// `text` as one sh word, in single quotes.
    public func quote(_ text: String) -> String { Self.quote(text) }

    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A bundle path as the agent joins it to the archive: a leading `/` is harmless,
    /// and `/` alone is the whole bundle.
    static func relative(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("/") { p = p.dropFirst() }
        while p.hasSuffix("/") { p = p.dropLast() }
        return p.isEmpty ? "." : String(p)
    }

    /// An absolute path without repeated or trailing slashes (the agent's expand_path).
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + parts.joined(separator: "/")
    }

    /// An appspec glob as a `case` pattern: `*` stays a wildcard, everything else is
    /// quoted (the agent knows no other wildcard).
    static func casePattern(_ glob: String) -> String {
        glob.split(separator: "*", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : quote(String($0)) }
            .joined(separator: "*").ifEmpty("''")
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
