//! Deployable on AWS: template.yaml's deploy settings and least privilege, `sam validate --lint`,
//! the deploy build (one arm64 bootstrap per function, the template `sam deploy` takes), the API
//! Gateway events of every route,
//! every function's binary answering them through the Lambda Runtime API, and the first login
//! served by `cargo lambda watch` (scripts/watch.sh) against DynamoDB Local.
//!
//! The tools come from scripts/deploy-tools.sh; scripts/test.sh installs them, runs the deploy
//! build (scripts/deploy-build.sh --check) and exports KENNIN_SAM, KENNIN_CARGO_LAMBDA and
//! KENNIN_SAM_BUILD_DIR.

use kennin::clock::Clock as _;
use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn tool(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests with scripts/test.sh, which installs the deploy tools (scripts/deploy-tools.sh)")
    })
}

fn template() -> Yaml {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn resources(template: &Yaml) -> Vec<(String, &Yaml)> {
    template["Resources"]
        .as_hash()
        .expect("Resources")
        .iter()
        .map(|(name, resource)| (name.as_str().unwrap().to_string(), resource))
        .collect()
}

fn functions(template: &Yaml) -> Vec<(String, &Yaml)> {
    resources(template)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .collect()
}

/// `Ref: X` → X, `Fn::GetAtt: [X, Arn]` → X.Arn.
fn reference(value: &Yaml) -> Option<String> {
    if let Some(name) = value["Ref"].as_str() {
        return Some(name.to_string());
    }
    let parts = value["Fn::GetAtt"].as_vec()?;
    Some(format!("{}.{}", parts.first()?.as_str()?, parts.get(1)?.as_str()?))
}

fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// How many function crates there are: each step is one, deployed as its own function.
fn function_crates() -> usize {
    std::fs::read_dir(root().join("functions"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().join("Cargo.toml").is_file())
        .count()
}

/// Every string anywhere inside a value (to find wildcards in resources however they are built).
fn all_strings(value: &Yaml, out: &mut Vec<String>) {
    match value {
        Yaml::String(s) => out.push(s.clone()),
        Yaml::Array(items) => items.iter().for_each(|i| all_strings(i, out)),
        Yaml::Hash(map) => map.values().for_each(|v| all_strings(v, out)),
        _ => {}
    }
}

#[test]
fn every_function_is_an_arm64_cargo_lambda_build_with_its_own_sizing_logs_and_role() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(strings(&globals["Architectures"]), ["arm64"]);
    let functions = functions(&template);
    assert_eq!(
        functions.len(),
        function_crates(),
        "one function per crate of functions/"
    );
    for (name, function) in &functions {
        let properties = &function["Properties"];
        let code_uri = properties["CodeUri"].as_str().unwrap();
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{name}"
        );
        let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let manifest = std::fs::read_to_string(root().join(code_uri).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("[[bin]]") && manifest.contains(&format!("name = \"{binary}\"")),
            "{name}: {code_uri} has no binary {binary}"
        );
        let memory = properties["MemorySize"]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: MemorySize"));
        let timeout = properties["Timeout"]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: Timeout"));
        assert!((128..=1769).contains(&memory), "{name}: {memory} MB");
        let serves_routes = properties["Events"]
            .as_hash()
            .is_some_and(|events| events.values().any(|e| e["Type"].as_str() == Some("HttpApi")));
        if serves_routes {
            assert!(
                (3..29).contains(&timeout),
                "{name}: {timeout} s must end before API Gateway's 29 s"
            );
        } else {
            // A scheduled task: within Lambda's 15 minutes.
            assert!((3..=900).contains(&timeout), "{name}: {timeout} s");
        }
        assert_eq!(
            reference(&properties["Role"]),
            Some(format!("{name}Role.Arn")),
            "{name}: own role"
        );
        assert!(
            properties["Policies"].is_badvalue(),
            "{name}: SAM policies would add a managed policy"
        );
        let logging = &properties["LoggingConfig"];
        assert_eq!(logging["LogFormat"].as_str(), Some("JSON"), "{name}");
        assert_eq!(
            logging["SystemLogLevel"].as_str(),
            Some("WARN"),
            "{name}: no platform lines"
        );
        let logs = reference(&logging["LogGroup"]).unwrap();
        assert_eq!(logs, format!("{name}Logs"));
        let group = &template["Resources"][logs.as_str()];
        assert_eq!(group["Type"].as_str(), Some("AWS::Logs::LogGroup"));
        assert_eq!(
            reference(&group["Properties"]["RetentionInDays"]).as_deref(),
            Some("LogRetentionDays")
        );
    }
    // The argon2id steps and the document check (decoding a photo of up to 10 MB) get the CPU
    // (memory) they need; nothing else does.
    let hashing = [
        "SessionLoginFunction",
        "SignupAccountFunction",
        "PasswordResetFunction",
        "MePasswordFunction",
        "MeEmailFunction",
        "SurveyDocumentCompleteFunction",
        "AdminInvitationAcceptFunction",
        "AdminSessionCreateFunction",
    ];
    for (name, function) in &functions {
        let memory = function["Properties"]["MemorySize"].as_i64().unwrap();
        assert_eq!(hashing.contains(&name.as_str()), memory >= 1024, "{name}: {memory} MB");
    }
}

/// The documents bucket's name, as the bucket declares it and as every function and role that
/// uses it spells it (template.yaml says why they do not refer to the bucket).
const BUCKET_NAME: &str = "kennin-${Stage}-docs-${AWS::AccountId}-${AWS::Region}";

/// The bucket's three areas: presigned uploads, the files verified from them, the console's
/// exports.
const BUCKET_PREFIXES: [&str; 3] = ["uploads/", "documents/", "exports/"];

/// What each function may do in the documents bucket, by its CodeUri: (action, prefix) pairs,
/// the prefix being the objects an object action reaches or the listing s3:ListBucket's
/// condition allows. A function not named here has no right in the bucket. A function named
/// here but not yet in the template is skipped (and listed by the test).
const BUCKET_RIGHTS: &[(&str, &[(&str, &str)])] = &[
    // presigns the browser's PUT of one file under uploads/
    ("functions/survey-documents-create", &[("s3:PutObject", "uploads/")]),
    // reads and verifies the upload, writes the clean file under documents/, deletes the upload
    (
        "functions/survey-document-complete",
        &[
            ("s3:GetObject", "uploads/"),
            ("s3:DeleteObject", "uploads/"),
            ("s3:PutObject", "documents/"),
        ],
    ),
    // the list comes from the table alone
    ("functions/survey-documents-list", &[]),
    // presigns the download of a verified file
    ("functions/survey-document", &[("s3:GetObject", "documents/")]),
    // the console's view of a verified file
    ("functions/admin-target-document", &[("s3:GetObject", "documents/")]),
    // writes the console's CSV export and presigns its download
    (
        "functions/admin-export",
        &[("s3:PutObject", "exports/"), ("s3:GetObject", "exports/")],
    ),
    (
        "functions/survey-document-delete",
        &[("s3:DeleteObject", "documents/"), ("s3:DeleteObject", "uploads/")],
    ),
    // lists and deletes a campaign's files once its retention has passed
    (
        "functions/documents-purge",
        &[("s3:ListBucket", "documents/"), ("s3:DeleteObject", "documents/")],
    ),
];

/// The (action, prefix) pairs an S3 statement of a role grants, checking that each resource is
/// the documents bucket: an object action on `{bucket}/{prefix}*`, s3:ListBucket on the bucket
/// itself with an s3:prefix condition of `{prefix}*` and nothing else.
fn bucket_rights(role: &str, statement: &Yaml) -> BTreeSet<(String, String)> {
    let bucket_arn = format!("arn:${{AWS::Partition}}:s3:::{BUCKET_NAME}");
    let actions = strings(&statement["Action"]);
    let resources: Vec<String> = match &statement["Resource"] {
        Yaml::Array(items) => items.iter().collect::<Vec<_>>(),
        single => vec![single],
    }
    .into_iter()
    .map(|resource| {
        resource["Fn::Sub"]
            .as_str()
            .unwrap_or_else(|| panic!("{role}: an S3 resource is written with Fn::Sub and the bucket's name"))
            .to_string()
    })
    .collect();
    let mut granted = BTreeSet::new();
    if actions == ["s3:ListBucket"] {
        assert_eq!(
            resources,
            std::slice::from_ref(&bucket_arn),
            "{role}: s3:ListBucket on the bucket alone"
        );
        let condition = statement["Condition"].as_hash().expect("a prefix condition");
        assert_eq!(condition.len(), 1, "{role}: one condition");
        let allowed = strings(&statement["Condition"]["StringLike"]["s3:prefix"]);
        assert!(
            !allowed.is_empty(),
            "{role}: s3:ListBucket needs an s3:prefix condition"
        );
        for prefix in allowed {
            let prefix = prefix
                .strip_suffix('*')
                .filter(|p| BUCKET_PREFIXES.contains(p))
                .unwrap_or_else(|| panic!("{role}: s3:prefix {prefix}"));
            granted.insert(("s3:ListBucket".to_string(), prefix.to_string()));
        }
        return granted;
    }
    assert!(
        statement["Condition"].is_badvalue(),
        "{role}: object actions without a condition"
    );
    for action in &actions {
        assert!(
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"].contains(&action.as_str()),
            "{role}: {action}"
        );
        for resource in &resources {
            let prefix = resource
                .strip_prefix(&format!("{bucket_arn}/"))
                .and_then(|rest| rest.strip_suffix('*'))
                .filter(|prefix| BUCKET_PREFIXES.contains(prefix))
                .unwrap_or_else(|| {
                    panic!("{role}: {resource} is not uploads/*, documents/* or exports/* of the bucket")
                });
            granted.insert((action.clone(), prefix.to_string()));
        }
    }
    granted
}

/// The rule itself: the grants of the purge as template.yaml writes them pass, and each way of
/// reaching more of the bucket is refused.
#[test]
fn bucket_rights_read_prefix_grants_and_refuse_wider_ones() {
    let statement = |yaml: &str| YamlLoader::load_from_str(yaml).unwrap().remove(0);
    let bucket = format!("arn:${{AWS::Partition}}:s3:::{BUCKET_NAME}");
    let list = statement(&format!(
        "{{Effect: Allow, Action: s3:ListBucket, Resource: {{Fn::Sub: \"{bucket}\"}}, Condition: {{StringLike: {{s3:prefix: [documents/*]}}}}}}"
    ));
    let delete = statement(&format!(
        "{{Effect: Allow, Action: [s3:DeleteObject], Resource: [{{Fn::Sub: \"{bucket}/documents/*\"}}]}}"
    ));
    let pairs = |granted: BTreeSet<(String, String)>| granted.into_iter().collect::<Vec<_>>();
    assert_eq!(
        pairs(bucket_rights("Role", &list)),
        [("s3:ListBucket".to_string(), "documents/".to_string())]
    );
    assert_eq!(
        pairs(bucket_rights("Role", &delete)),
        [("s3:DeleteObject".to_string(), "documents/".to_string())]
    );
    for wider in [
        format!("{{Action: s3:GetObject, Resource: {{Fn::Sub: \"{bucket}/*\"}}}}"),
        format!("{{Action: s3:GetObject, Resource: {{Fn::Sub: \"{bucket}/other/*\"}}}}"),
        format!("{{Action: s3:GetObjectAcl, Resource: {{Fn::Sub: \"{bucket}/uploads/*\"}}}}"),
        "{Action: s3:GetObject, Resource: {Fn::Sub: \"arn:${AWS::Partition}:s3:::other/uploads/*\"}}".to_string(),
        format!("{{Action: s3:ListBucket, Resource: {{Fn::Sub: \"{bucket}\"}}}}"),
        format!(
            "{{Action: s3:ListBucket, Resource: {{Fn::Sub: \"{bucket}\"}}, Condition: {{StringLike: {{s3:prefix: [\"*\"]}}}}}}"
        ),
    ] {
        let refused = std::panic::catch_unwind(|| bucket_rights("Role", &statement(&wider)));
        assert!(refused.is_err(), "accepted: {wider}");
    }
}

#[test]
fn bucket_rights_are_the_least_each_function_needs() {
    let template = template();
    let functions = functions(&template);
    let mut not_yet = Vec::new();
    for (code_uri, _) in BUCKET_RIGHTS {
        if !functions
            .iter()
            .any(|(_, f)| f["Properties"]["CodeUri"].as_str() == Some(code_uri))
        {
            not_yet.push(*code_uri);
        }
    }
    if !not_yet.is_empty() {
        eprintln!("not in template.yaml yet, skipped: {not_yet:?}");
    }
    for (name, function) in &functions {
        let code_uri = function["Properties"]["CodeUri"].as_str().unwrap();
        let expected: BTreeSet<(String, String)> = BUCKET_RIGHTS
            .iter()
            .find(|(uri, _)| *uri == code_uri)
            .map(|(_, rights)| rights.iter().map(|(a, p)| (a.to_string(), p.to_string())).collect())
            .unwrap_or_default();
        let role_name = format!("{name}Role");
        let role = &template["Resources"][role_name.as_str()];
        let mut granted = BTreeSet::new();
        for policy in role["Properties"]["Policies"].as_vec().unwrap() {
            for statement in policy["PolicyDocument"]["Statement"].as_vec().unwrap() {
                let actions = strings(&statement["Action"]);
                if actions.iter().any(|a| a.starts_with("s3:")) {
                    assert!(
                        actions.iter().all(|a| a.starts_with("s3:") && !a.contains('*')),
                        "{role_name}: {actions:?}"
                    );
                    granted.extend(bucket_rights(&role_name, statement));
                }
            }
        }
        assert_eq!(granted, expected, "{name} ({code_uri})");
        // A function that uses the bucket is told its name, spelled as the bucket spells it.
        let bucket_env = &function["Properties"]["Environment"]["Variables"]["KENNIN_BUCKET"];
        if expected.is_empty() {
            assert!(
                bucket_env.is_badvalue(),
                "{name}: KENNIN_BUCKET without a right to use it"
            );
        } else {
            assert_eq!(
                bucket_env["Fn::Sub"].as_str(),
                Some(BUCKET_NAME),
                "{name}: KENNIN_BUCKET"
            );
        }
        // No function or role refers to the bucket resource: the API's definition refers to every
        // function, and the bucket's CORS rule to the API.
        for (what, resource) in [(name.as_str(), *function), (role_name.as_str(), role)] {
            assert!(
                !format!("{resource:?}").contains("DocumentsBucket"),
                "{what} refers to DocumentsBucket: spell its name instead (a dependency cycle)"
            );
        }
    }
}

#[test]
fn the_documents_bucket_is_private_encrypted_versioned_short_lived_and_retained() {
    let template = template();
    let bucket = &template["Resources"]["DocumentsBucket"];
    assert_eq!(bucket["Type"].as_str(), Some("AWS::S3::Bucket"));
    assert_eq!(bucket["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(bucket["UpdateReplacePolicy"].as_str(), Some("Retain"));
    let properties = &bucket["Properties"];
    assert_eq!(properties["BucketName"]["Fn::Sub"].as_str(), Some(BUCKET_NAME));
    let block = &properties["PublicAccessBlockConfiguration"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[setting].as_bool(), Some(true), "{setting}");
    }
    assert_eq!(
        properties["OwnershipControls"]["Rules"][0]["ObjectOwnership"].as_str(),
        Some("BucketOwnerEnforced")
    );
    let encryption = &properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert_eq!(
        encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"].as_str(),
        Some("AES256")
    );
    assert_eq!(
        properties["VersioningConfiguration"]["Status"].as_str(),
        Some("Enabled")
    );

    let rules = properties["LifecycleConfiguration"]["Rules"].as_vec().unwrap();
    assert!(rules.iter().all(|rule| rule["Status"].as_str() == Some("Enabled")));
    let uploads = rules
        .iter()
        .find(|rule| rule["Prefix"].as_str() == Some("uploads/"))
        .expect("a rule for uploads/");
    assert_eq!(uploads["ExpirationInDays"].as_i64(), Some(1));
    assert_eq!(
        uploads["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"].as_i64(),
        Some(1)
    );
    // The console's exports, current and old versions, are gone a day after they were written.
    let exports = rules
        .iter()
        .find(|rule| rule["Prefix"].as_str() == Some("exports/"))
        .expect("a rule for exports/");
    assert_eq!(exports["ExpirationInDays"].as_i64(), Some(1));
    assert_eq!(
        exports["NoncurrentVersionExpiration"]["NoncurrentDays"].as_i64(),
        Some(1)
    );
    let versions = rules
        .iter()
        .find(|rule| rule["Prefix"].is_badvalue() && !rule["NoncurrentVersionExpiration"].is_badvalue())
        .expect("a rule for old versions");
    let days = versions["NoncurrentVersionExpiration"]["NoncurrentDays"]
        .as_i64()
        .unwrap();
    assert!((1..=7).contains(&days), "old versions kept {days} days");
    assert_eq!(versions["ExpiredObjectDeleteMarker"].as_bool(), Some(true));
    // documents/ is deleted by the purge at each campaign's own date, not by a rule.
    assert!(rules.iter().all(|rule| rule["Prefix"].as_str() != Some("documents/")));

    let cors = properties["CorsConfiguration"]["CorsRules"].as_vec().unwrap();
    assert_eq!(cors.len(), 1);
    let origins = cors[0]["AllowedOrigins"].as_vec().unwrap();
    assert_eq!(origins.len(), 1, "the site's own origin only");
    let choice = origins[0]["Fn::If"]
        .as_vec()
        .expect("the custom domain or the API's URL");
    assert_eq!(choice[0].as_str(), Some("HasCustomDomain"));
    assert_eq!(choice[1]["Fn::Sub"].as_str(), Some("https://${DomainName}"));
    assert_eq!(
        choice[2]["Fn::Sub"].as_str(),
        Some("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}")
    );
    let methods = strings(&cors[0]["AllowedMethods"]);
    assert!(
        methods.iter().all(|m| ["PUT", "POST", "GET"].contains(&m.as_str())),
        "{methods:?}"
    );
    assert_eq!(strings(&cors[0]["AllowedHeaders"]), ["content-type"]);
    assert!(cors[0]["MaxAge"].as_i64().is_some());
    let tags = format!("{:?}", properties["Tags"]);
    assert!(tags.contains("kennin:stage"), "{tags}");

    let policy = &template["Resources"]["DocumentsBucketPolicy"];
    assert_eq!(policy["Type"].as_str(), Some("AWS::S3::BucketPolicy"));
    assert_eq!(
        reference(&policy["Properties"]["Bucket"]).as_deref(),
        Some("DocumentsBucket")
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_vec().unwrap();
    let tls_only = statements
        .iter()
        .find(|s| s["Condition"]["Bool"]["aws:SecureTransport"].as_str() == Some("false"))
        .expect("a statement refusing requests without TLS");
    assert_eq!(tls_only["Effect"].as_str(), Some("Deny"));
    assert_eq!(tls_only["Principal"].as_str(), Some("*"));
    assert_eq!(tls_only["Action"].as_str(), Some("s3:*"));
    let resources = format!("{:?}", tls_only["Resource"]);
    assert!(
        resources.contains("DocumentsBucket") && resources.contains("${DocumentsBucket.Arn}/*"),
        "the bucket and its objects: {resources}"
    );
    assert!(
        statements.iter().all(|s| s["Effect"].as_str() == Some("Deny")),
        "the policy only refuses"
    );

    assert_eq!(
        reference(&template["Outputs"]["DocumentsBucketName"]["Value"]).as_deref(),
        Some("DocumentsBucket")
    );
    // The pages may send files to the bucket's own origin (and nowhere else).
    let portal = &template["Resources"]["PortalFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        portal[kennin_local::functions::kennin_portal::BUCKET_ORIGIN_VAR]["Fn::Sub"].as_str(),
        Some(format!("https://{BUCKET_NAME}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}").as_str())
    );
    // The console shows documents from it (images and PDFs through their short-lived URLs).
    let console = &template["Resources"]["ConsoleFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        console[kennin_local::functions::kennin_console::BUCKET_ORIGIN_VAR]["Fn::Sub"].as_str(),
        Some(format!("https://{BUCKET_NAME}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}").as_str())
    );
}

#[test]
fn roles_grant_only_the_table_actions_and_the_one_ses_identity_without_wildcards() {
    let template = template();
    let mail_senders: BTreeSet<&str> = [
        "SignupAccountFunction",
        "SignupResendFunction",
        "PasswordForgotFunction",
        "PasswordResetFunction",
        "UserIdForgotFunction",
        "MePasswordFunction",
        "MeEmailFunction",
        "MeEmailVerifyFunction",
        "AdminTargetReturnFunction",
        "AdminTargetDecisionFunction",
        "AdminDocumentRefusalFunction",
        "SurveySubmitFunction",
        "MailScheduleFunction",
        "AdminStaffInviteFunction",
        "AdminPeoplePasswordResetFunction",
    ]
    .into();
    let table_actions: BTreeSet<&str> = [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:Query",
    ]
    .into();
    let mut roles = 0;
    for (name, function) in functions(&template) {
        let role_name = format!("{name}Role");
        let role = &template["Resources"][role_name.as_str()];
        assert_eq!(role["Type"].as_str(), Some("AWS::IAM::Role"), "{role_name}");
        roles += 1;
        assert!(
            role["Properties"]["ManagedPolicyArns"].is_badvalue(),
            "{role_name}: no managed policies"
        );
        let statement = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(statement["Principal"]["Service"].as_str(), Some("lambda.amazonaws.com"));
        let mut sends_mail = false;
        let mut uses_table = false;
        for policy in role["Properties"]["Policies"].as_vec().unwrap() {
            for statement in policy["PolicyDocument"]["Statement"].as_vec().unwrap() {
                assert_eq!(statement["Effect"].as_str(), Some("Allow"));
                let actions = strings(&statement["Action"]);
                assert!(actions.iter().all(|a| !a.contains('*')), "{role_name}: wildcard action");
                if actions.iter().all(|a| a.starts_with("s3:")) {
                    // Prefixes of the documents bucket: bucket_rights_are_the_least_each_function_needs.
                    continue;
                }
                let mut resource_strings = Vec::new();
                all_strings(&statement["Resource"], &mut resource_strings);
                assert!(
                    resource_strings.iter().all(|r| !r.contains('*')),
                    "{role_name}: wildcard resource {resource_strings:?}"
                );
                if actions.iter().all(|a| a.starts_with("logs:")) {
                    assert_eq!(actions, ["logs:CreateLogStream", "logs:PutLogEvents"]);
                    assert_eq!(reference(&statement["Resource"]), Some(format!("{name}Logs.Arn")));
                } else if actions.iter().all(|a| a.starts_with("dynamodb:")) {
                    uses_table = true;
                    assert!(
                        actions.iter().all(|a| table_actions.contains(a.as_str())),
                        "{role_name}: {actions:?}"
                    );
                    if reference(&statement["Resource"]).as_deref() == Some("Table.Arn") {
                        continue;
                    }
                    // Otherwise a Query of the lists' indexes, each named by its own ARN.
                    assert_eq!(actions, ["dynamodb:Query"], "{role_name}: index actions");
                    let index_arns: BTreeSet<String> = kennin::store::Index::ALL
                        .iter()
                        .map(|index| format!("${{Table.Arn}}/index/{}", index.name()))
                        .collect();
                    let resources = statement["Resource"].as_vec().expect("a list of index ARNs");
                    assert!(!resources.is_empty(), "{role_name}");
                    for resource in resources {
                        let arn = resource["Fn::Sub"].as_str().unwrap_or_default();
                        assert!(
                            index_arns.contains(arn),
                            "{role_name}: {resource:?} is not an index's ARN"
                        );
                    }
                } else {
                    assert_eq!(actions, ["ses:SendEmail"], "{role_name}");
                    sends_mail = true;
                    let resources = statement["Resource"].as_vec().unwrap();
                    assert_eq!(
                        resources[0]["Fn::Sub"].as_str(),
                        Some("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}")
                    );
                    // The configuration set in use: the stage's, or the one the stack makes.
                    let set = &resources[1]["Fn::Sub"];
                    assert!(
                        set[0].as_str().unwrap().ends_with(":configuration-set/${Set}"),
                        "{role_name}"
                    );
                    assert_eq!(
                        set[1]["Set"],
                        template["Globals"]["Function"]["Environment"]["Variables"]["KENNIN_SES_CONFIGURATION_SET"]
                    );
                }
            }
        }
        assert_eq!(
            sends_mail,
            mail_senders.contains(name.as_str()),
            "{name}: ses:SendEmail"
        );
        // Only a function allowed to send mail links the SES client (kennin::lambda::run_mailing,
        // or kennin::mail::from_env for the scheduled one), only one allowed to use the table the
        // DynamoDB client (all but run_without_store).
        let code = function["Properties"]["CodeUri"].as_str().unwrap();
        let main = std::fs::read_to_string(root().join(code).join("src/main.rs")).unwrap();
        assert_eq!(
            main.contains("lambda::run_mailing(") || main.contains("mail::from_env"),
            sends_mail,
            "{name}: {code}/src/main.rs"
        );
        let public_without_table = ["PortalFunction", "ConsoleFunction", "PostalFunction"].contains(&name.as_str());
        assert_eq!(uses_table, !public_without_table, "{name}: table access");
        assert_eq!(
            main.contains("lambda::run_without_store("),
            !uses_table,
            "{name}: {code}/src/main.rs"
        );
    }
    assert_eq!(roles, function_crates());
    let all_roles = resources(&template)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::IAM::Role"))
        .count();
    assert_eq!(all_roles, function_crates(), "one role per function, no other");
}

/// Bounces and complaints: the configuration set in use (the stage's, else one the stack makes)
/// publishes them to a topic only SES may publish to, for this account's set, and the topic's
/// one subscriber is the mail-events function, whose role reads and writes the table only.
#[test]
fn bounces_and_complaints_reach_the_mail_events_function_from_ses_only() {
    let template = template();
    let resources = &template["Resources"];
    let set_in_use = &template["Globals"]["Function"]["Environment"]["Variables"]["KENNIN_SES_CONFIGURATION_SET"];
    assert_eq!(
        format!("{:?}", set_in_use["Fn::If"]),
        format!(
            "{:?}",
            YamlLoader::load_from_str("[HasConfigurationSet, Ref: SesConfigurationSet, Ref: MailConfigurationSet]")
                .unwrap()[0]
        )
    );
    let created = &resources["MailConfigurationSet"];
    assert_eq!(created["Type"].as_str(), Some("AWS::SES::ConfigurationSet"));
    assert_eq!(created["Condition"].as_str(), Some("CreatesConfigurationSet"));

    let destination = &resources["MailEventDestination"];
    assert_eq!(
        destination["Type"].as_str(),
        Some("AWS::SES::ConfigurationSetEventDestination")
    );
    assert_eq!(&destination["Properties"]["ConfigurationSetName"], set_in_use);
    let published = &destination["Properties"]["EventDestination"];
    assert_eq!(published["Enabled"].as_bool(), Some(true));
    assert_eq!(strings(&published["MatchingEventTypes"]), ["bounce", "complaint"]);
    assert_eq!(
        reference(&published["SnsDestination"]["TopicARN"]).as_deref(),
        Some("MailEventsTopic")
    );

    let policy = &resources["MailEventsTopicPolicy"]["Properties"];
    assert_eq!(strings(&policy["Topics"][0]["Ref"]), ["MailEventsTopic"]);
    let statements = policy["PolicyDocument"]["Statement"].as_vec().unwrap();
    assert_eq!(statements.len(), 1);
    let statement = &statements[0];
    assert_eq!(statement["Principal"]["Service"].as_str(), Some("ses.amazonaws.com"));
    assert_eq!(strings(&statement["Action"]), ["sns:Publish"]);
    assert_eq!(reference(&statement["Resource"]).as_deref(), Some("MailEventsTopic"));
    assert_eq!(
        reference(&statement["Condition"]["StringEquals"]["AWS:SourceAccount"]).as_deref(),
        Some("AWS::AccountId")
    );
    let source = &statement["Condition"]["ArnLike"]["AWS:SourceArn"]["Fn::Sub"];
    assert!(source[0].as_str().unwrap().ends_with(":configuration-set/${Set}"));
    assert_eq!(&source[1]["Set"], set_in_use);

    let subscribers: Vec<String> = functions(&template)
        .into_iter()
        .filter(|(_, function)| {
            function["Properties"]["Events"]
                .as_hash()
                .is_some_and(|events| events.values().any(|e| e["Type"].as_str() == Some("SNS")))
        })
        .map(|(name, function)| {
            let event = function["Properties"]["Events"]["Reported"]["Properties"]["Topic"].clone();
            assert_eq!(reference(&event).as_deref(), Some("MailEventsTopic"), "{name}");
            name
        })
        .collect();
    assert_eq!(subscribers, ["MailEventsFunction"]);
    let role = &resources["MailEventsFunctionRole"]["Properties"]["Policies"];
    let data = role
        .as_vec()
        .unwrap()
        .iter()
        .find(|policy| policy["PolicyName"].as_str() == Some("data"))
        .expect("a data policy");
    let statements = data["PolicyDocument"]["Statement"].as_vec().unwrap();
    assert_eq!(statements.len(), 1, "the table only");
    assert_eq!(
        strings(&statements[0]["Action"]),
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"]
    );
}

#[test]
fn the_table_api_parameters_and_outputs_are_ready_for_production() {
    let template = template();
    let table = &template["Resources"]["Table"];
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    let properties = &table["Properties"];
    assert_eq!(properties["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        reference(&properties["DeletionProtectionEnabled"]).as_deref(),
        Some("TableDeletionProtection")
    );
    assert_eq!(
        properties["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some("ttl")
    );
    assert_eq!(properties["TimeToLiveSpecification"]["Enabled"].as_bool(), Some(true));
    assert_eq!(
        properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(properties["SSESpecification"]["SSEEnabled"].as_bool(), Some(true));
    // The indexes the store reads, as its create_table makes them for DynamoDB Local. The staff
    // console's list functions are granted Query on `${Table.Arn}/index/NAME` of each they read.
    let indexes: Vec<(String, String, String, String)> = properties["GlobalSecondaryIndexes"]
        .as_vec()
        .expect("the staff console's indexes")
        .iter()
        .map(|index| {
            let keys = index["KeySchema"].as_vec().unwrap();
            let key = |n: usize, kind: &str| {
                assert_eq!(keys[n]["KeyType"].as_str(), Some(kind));
                keys[n]["AttributeName"].as_str().unwrap().to_string()
            };
            assert_eq!(keys.len(), 2);
            let projection = index["Projection"]["ProjectionType"].as_str().unwrap().to_string();
            (
                index["IndexName"].as_str().unwrap().to_string(),
                key(0, "HASH"),
                key(1, "RANGE"),
                projection,
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = kennin::store::Index::ALL
        .iter()
        .map(|index| {
            let (partition, sort) = (index.partition_attr().name(), index.sort_attr().name());
            (index.name().into(), partition.into(), sort.into(), "ALL".into())
        })
        .collect();
    assert_eq!(indexes, expected);
    let mut defined: Vec<&str> = properties["AttributeDefinitions"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|definition| {
            assert_eq!(definition["AttributeType"].as_str(), Some("S"));
            definition["AttributeName"].as_str().unwrap()
        })
        .collect();
    defined.sort_unstable();
    let mut keys: Vec<&str> = expected
        .iter()
        .flat_map(|(_, pk, sk, _)| [pk.as_str(), sk.as_str()])
        .collect();
    keys.extend(["pk", "sk"]);
    keys.sort_unstable();
    assert_eq!(defined, keys, "every key attribute defined, no other");

    let api = &template["Resources"]["Api"]["Properties"];
    assert_eq!(api["StageName"].as_str(), Some("$default"));
    assert!(api["CorsConfiguration"].is_badvalue(), "same origin: no CORS");
    assert!(api["DefaultRouteSettings"]["ThrottlingRateLimit"].as_i64().is_some());
    assert!(api["DefaultRouteSettings"]["ThrottlingBurstLimit"].as_i64().is_some());

    for parameter in [
        "Stage",
        "MailFrom",
        "SesIdentity",
        "SesConfigurationSet",
        "Secret",
        "LogRetentionDays",
        "TableDeletionProtection",
    ] {
        assert!(
            !template["Parameters"][parameter].is_badvalue(),
            "parameter {parameter}"
        );
    }
    assert_eq!(template["Parameters"]["Secret"]["NoEcho"].as_bool(), Some(true));
    for output in ["PortalUrl", "SignupUrl", "TableName"] {
        assert!(!template["Outputs"][output].is_badvalue(), "output {output}");
    }
    let signup = format!("{:?}", template["Outputs"]["SignupUrl"]);
    assert!(signup.contains("/portal/signup"), "{signup}");
}

fn sam_validate_lint(template: &Path) {
    kennin_tests::assert_checker_passes(
        Command::new(tool("KENNIN_SAM"))
            .args(["validate", "--lint", "--template-file"])
            .arg(template)
            .env("SAM_CLI_TELEMETRY", "0"),
        "sam validate --lint",
    );
}

#[test]
fn sam_validate_lint_passes() {
    sam_validate_lint(&root().join("template.yaml"));
}

fn deploy_build_dir() -> PathBuf {
    let build_dir = PathBuf::from(tool("KENNIN_SAM_BUILD_DIR"));
    assert!(
        build_dir.join("template.yaml").is_file(),
        "{} has no template.yaml: did the deploy build (scripts/deploy-build.sh) fail?",
        build_dir.display()
    );
    build_dir
}

/// The template that `sam deploy` takes from the deploy build is as valid as the source.
#[test]
fn sam_validate_lint_passes_on_the_deployed_template() {
    sam_validate_lint(&deploy_build_dir().join("template.yaml"));
}

/// The deploy build (scripts/deploy-build.sh, run before the suite) left an arm64 Linux
/// executable named bootstrap for every function of template.yaml, and a template pointing at it.
#[test]
fn the_deploy_build_made_an_arm64_bootstrap_for_every_function() {
    let build_dir = deploy_build_dir();
    let built = YamlLoader::load_from_str(&std::fs::read_to_string(build_dir.join("template.yaml")).unwrap())
        .unwrap()
        .remove(0);
    for (name, _) in functions(&template()) {
        let code_uri = built["Resources"][name.as_str()]["Properties"]["CodeUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} missing from the built template"));
        let bootstrap = build_dir.join(code_uri).join("bootstrap");
        let bytes = std::fs::read(&bootstrap).unwrap_or_else(|e| panic!("{}: {e}", bootstrap.display()));
        // ELF, 64-bit, little-endian, e_machine = 183 (EM_AARCH64).
        assert_eq!(&bytes[..4], b"\x7fELF", "{}", bootstrap.display());
        assert_eq!(bytes[4], 2, "{name}: 64-bit");
        assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 183, "{name}: aarch64");
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&bootstrap).unwrap().permissions());
        assert!(mode & 0o111 != 0, "{name}: bootstrap is executable");
        assert!(bytes.len() < 50 << 20, "{name}: {} bytes", bytes.len());
    }
}

// ---------------------------------------------------------------- events

/// The event of every route, as `cargo xtask events` writes them.
fn events() -> Vec<kennin_template::events::Event> {
    kennin_template::events::events(kennin_local::TEMPLATE, kennin_local::functions::kennin_portal::OPENAPI)
        .expect("an event for every route")
}

#[test]
fn events_are_api_gateway_v2_requests_one_for_each_route() {
    let routes = kennin_local::template_routes(kennin_local::TEMPLATE).unwrap();
    let events = events();
    let mut covered = BTreeSet::new();
    let mut names = BTreeSet::new();
    for generated in &events {
        let (stem, route) = (generated.name.as_str(), &generated.route);
        assert!(names.insert(stem), "{stem}: two events of that name");
        let text = generated.event.to_string();
        let event = &generated.event;
        let route_key = format!("{} {}", route.method, route.path);
        assert!(
            covered.insert(route_key.clone()),
            "{stem}: second event for {route_key}"
        );
        let function_dir = route.code_uri.trim_start_matches("functions/");
        assert!(
            stem == function_dir || stem.starts_with(&format!("{function_dir}-")),
            "{stem}.json should be named after {function_dir}"
        );
        assert_eq!(event["version"], "2.0", "{stem}");
        assert_eq!(event["routeKey"], route_key.as_str(), "{stem}");
        assert_eq!(event["requestContext"]["routeKey"], route_key.as_str(), "{stem}");

        // What the function receives from lambda_http.
        let request = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{stem}: {e}"));
        use lambda_http::RequestExt;
        assert_eq!(request.method().as_str(), route.method, "{stem}");
        let raw_path = event["rawPath"].as_str().unwrap();
        assert_eq!(request.uri().path(), raw_path, "{stem}");
        assert_eq!(event["requestContext"]["http"]["path"], raw_path, "{stem}");
        assert!(request.headers().contains_key("host"), "{stem}: host header");
        let lambda_http::request::RequestContext::ApiGatewayV2(context) = request.request_context() else {
            panic!("{stem}: not an API Gateway v2 request");
        };
        assert_eq!(context.http.method.as_str(), route.method, "{stem}");
        assert!(context.http.source_ip.is_some(), "{stem}: sourceIp");
        assert!(context.request_id.is_some(), "{stem}: requestId");
        // Path parameters: each {name} of the route, matching the raw path.
        let parameters = request.path_parameters();
        for segment in route.path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(['{', '}', '+']);
            assert!(parameters.first(name).is_some(), "{stem}: path parameter {name}");
        }
        // State-changing requests carry a JSON object, as the functions require.
        if matches!(route.method.as_str(), "POST" | "PUT") {
            assert_eq!(
                request.headers().get("content-type").and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "{stem}"
            );
            let body: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
            assert!(body.is_object(), "{stem}: body is a JSON object");
        }
    }
    let missing: Vec<String> = routes
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .filter(|k| !covered.contains(k))
        .collect();
    assert!(missing.is_empty(), "routes without an event: {missing:?}");
}

// ---------------------------------------------------------------- cargo lambda watch

/// scripts/watch.sh in its own process group, stopped (with everything cargo started) on drop.
struct Watch {
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill").args([signal, "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = self.child.wait();
    }
}

impl Watch {
    fn log(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn invoke(base: &str, function: &str, body: Value, cookie: Option<&str>, watch: &Watch) -> (u16, Value, String) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{base}/lambda-url/{function}/"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{function}: {e}\n--- watch output ---\n{}", watch.log()));
    let status = response.status().as_u16();
    let cookie = kennin_tests::cookie_pairs(response.headers())
        .into_iter()
        .next()
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cargo_lambda_watch_serves_the_first_login_against_dynamodb_local() {
    let endpoint = kennin_tests::endpoint(kennin_tests::DYNAMODB_ENDPOINT_VAR);
    tool("KENNIN_CARGO_LAMBDA");
    let outbox = tempfile::tempdir().unwrap();
    let table = format!("kennin-watch-{}", uuid::Uuid::new_v4().simple());
    let port = free_port();
    let mut child = Command::new(root().join("scripts/watch.sh"))
        .arg("--ignore-changes")
        .env("KENNIN_DYNAMODB_ENDPOINT", &endpoint)
        .env("KENNIN_WATCH_TABLE", &table)
        .env("KENNIN_WATCH_OUTBOX", outbox.path())
        .env("KENNIN_WATCH_PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("scripts/watch.sh starts");
    let output = Arc::new(Mutex::new(Vec::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let output = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                output.lock().unwrap().push(line);
            }
        });
    }
    let mut watch = Watch { child, output };

    // The table, the demo union and the server come up; then each function compiles on its
    // first request.
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(600);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = watch.child.try_wait() {
            panic!("scripts/watch.sh exited with {status}:\n{}", watch.log());
        }
        assert!(
            Instant::now() < deadline,
            "cargo lambda watch did not listen:\n{}",
            watch.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let identity = json!({ "insurerCode": "0904", "symbol": "2002", "number": "10", "birthDate": "2000/02/29", "nameKana": "ﾀﾅｶ ﾐｻｷ" });
    let (status, body, flow) = invoke(&base, "kennin-signup-identity", identity, None, &watch).await;
    assert_eq!(status, 200, "{body}\n{}", watch.log());
    assert_eq!(body["step"], "account");
    assert!(flow.starts_with(&format!("{SIGNUP_COOKIE}=")), "{flow}");

    let account = json!({ "userId": "tanaka_misaki", "password": "Sakura#2024go", "email": "misaki@example.com" });
    let (status, body, _) = invoke(&base, "kennin-signup-account", account, Some(&flow), &watch).await;
    assert_eq!(status, 200, "{body}\n{}", watch.log());
    assert_eq!(body["step"], "code");

    // The code, from the .eml file the function wrote instead of calling SES.
    let mails = kennin::mail::outbox::Outbox::new(outbox.path(), "no-reply@kennin.localhost")
        .list()
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "one mail in the outbox");
    assert_eq!(mails[0].to, "misaki@example.com");
    let code = kennin_tests::code_in(&mails[0].text);
    let (status, body, _) = invoke(
        &base,
        "kennin-signup-code",
        json!({ "code": code }),
        Some(&flow),
        &watch,
    )
    .await;
    assert_eq!(status, 200, "{body}\n{}", watch.log());
    assert_eq!(body["step"], "done");

    let login = json!({ "userId": "tanaka_misaki", "password": "Sakura#2024go" });
    let (status, body, session) = invoke(&base, "kennin-session-login", login, None, &watch).await;
    assert_eq!(status, 200, "{body}\n{}", watch.log());
    assert!(session.starts_with(&format!("{SESSION_COOKIE}=")), "{session}");
    assert!(body["next"].is_string(), "{body}");
    let wrong = json!({ "userId": "tanaka_misaki", "password": "Sakura#2024gO" });
    let (status, _, _) = invoke(&base, "kennin-session-login", wrong, None, &watch).await;
    assert_eq!(status, 401);

    // The events `cargo xtask events` writes for these functions, through `cargo lambda invoke
    // --data-file` as the README shows: each answers (4xx for the made-up cookies and codes).
    // Every other function's event is served by its own binary in
    // `every_function_binary_serves_its_event_through_the_lambda_runtime_api`.
    let cargo_lambda = tool("KENNIN_CARGO_LAMBDA");
    let folder = tempfile::tempdir().expect("a folder for the events");
    let watched = [
        "kennin-signup-identity",
        "kennin-signup-account",
        "kennin-signup-code",
        "kennin-session-login",
    ];
    for event in events().into_iter().filter(|e| watched.contains(&e.binary.as_str())) {
        let file = folder.path().join(format!("{}.json", event.name));
        std::fs::write(&file, event.event.to_string()).expect("write an event");
        let output = Command::new(&cargo_lambda)
            .args(["lambda", "invoke", "--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(port.to_string())
            .arg(&event.binary)
            .arg("--data-file")
            .arg(&file)
            .output()
            .expect("cargo lambda invoke runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: {stdout}{}\n{}",
            file.display(),
            String::from_utf8_lossy(&output.stderr),
            watch.log()
        );
        let response: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{}: {e}: {stdout}", file.display()));
        let status = response["statusCode"].as_u64().unwrap_or(0);
        assert!((200..500).contains(&status), "{}: {stdout}", file.display());
    }
    drop(watch);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "cargo lambda watch stopped"
    );
}

// ---------------------------------------------------------------- every binary, as Lambda runs it

/// The Lambda Runtime API, the part a function's runtime client uses: it hands out one event
/// and keeps the function's answer (or its error report). Lambda serves the same to every
/// function process; `cargo lambda watch` emulates it too, but compiles each function on its
/// own (with its own features) where this runs the workspace's debug binaries as built.
mod runtime_api {
    use axum::Router;
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use std::sync::{Arc, Mutex};
    use tokio::sync::mpsc;

    pub const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

    #[derive(Clone)]
    struct Invocation {
        event: Arc<Mutex<Option<String>>>,
        answers: mpsc::UnboundedSender<(&'static str, String)>,
    }

    /// Serves `event` once on a free port: the port, and where the answer arrives (`response`,
    /// `error` or `init error`, with the body).
    pub async fn serve(event: String) -> (u16, mpsc::UnboundedReceiver<(&'static str, String)>) {
        let (answers, received) = mpsc::unbounded_channel();
        let state = Invocation {
            event: Arc::new(Mutex::new(Some(event))),
            answers,
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (port, received)
    }

    async fn next(State(state): State<Invocation>) -> axum::response::Response {
        let event = state.event.lock().unwrap().take();
        match event {
            Some(event) => {
                let mut headers = HeaderMap::new();
                headers.insert("lambda-runtime-aws-request-id", REQUEST_ID.parse().unwrap());
                let deadline = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis()
                    + 30_000;
                headers.insert("lambda-runtime-deadline-ms", deadline.to_string().parse().unwrap());
                headers.insert(
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:ap-northeast-1:123456789012:function:kennin"
                        .parse()
                        .unwrap(),
                );
                headers.insert(
                    "lambda-runtime-trace-id",
                    "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700".parse().unwrap(),
                );
                headers.insert("content-type", "application/json".parse().unwrap());
                (headers, event).into_response()
            }
            // One invocation per process: the next waits until the test stops the function.
            None => std::future::pending().await,
        }
    }

    async fn response(State(state): State<Invocation>, Path(id): Path<String>, body: String) -> StatusCode {
        let _ = state.answers.send((
            if id == REQUEST_ID {
                "response"
            } else {
                "unknown request"
            },
            body,
        ));
        StatusCode::ACCEPTED
    }

    async fn error(State(state): State<Invocation>, body: String) -> StatusCode {
        let _ = state.answers.send(("error", body));
        StatusCode::ACCEPTED
    }

    async fn init_error(State(state): State<Invocation>, body: String) -> StatusCode {
        let _ = state.answers.send(("init error", body));
        StatusCode::ACCEPTED
    }
}

/// Every function's binary, as the workspace's debug build made it, starts as Lambda starts it
/// (its configuration from the environment template.yaml gives, the table on DynamoDB Local,
/// mail to an outbox folder) and answers the event of each of its routes through the Lambda
/// Runtime API: an API Gateway response, 4xx for the made-up cookies and codes, never a 5xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_binary_serves_its_event_through_the_lambda_runtime_api() {
    let endpoint = kennin_tests::endpoint(kennin_tests::DYNAMODB_ENDPOINT_VAR);
    let binaries = PathBuf::from(tool("KENNIN_LOCAL_BIN"))
        .parent()
        .expect("the debug build's folder")
        .to_path_buf();
    let table = format!("kennin-runtime-{}", uuid::Uuid::new_v4().simple());
    let sdk = kennin::aws::sdk_config(Some(&endpoint)).await;
    let store = kennin::store::dynamodb::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table.clone());
    store.create_table().await.expect("create table in DynamoDB Local");
    kennin_local::seed_demo(&store, kennin::clock::SystemClock.today_in_japan())
        .await
        .expect("demo union seeded");
    let outbox = tempfile::tempdir().unwrap();
    // The routes' API Gateway events, and SNS's event of an SES bounce for mail-events.
    let mut events: Vec<(String, String, Value)> = events().into_iter().map(|e| (e.name, e.binary, e.event)).collect();
    events.push((
        "mail-events".into(),
        "kennin-mail-events".into(),
        kennin_tests::mail_events::sns_event(&[&kennin_tests::mail_events::permanent_bounce(
            "bounced@example.com",
            None,
        )]),
    ));
    // The schedule's event says nothing: what is due comes from the table.
    events.push(("mail-schedule".into(), "kennin-mail-schedule".into(), json!({})));
    assert_eq!(
        events
            .iter()
            .map(|(_, binary, _)| binary.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        function_crates() - 1,
        "an event for every function but the purge (which no route calls)"
    );
    for (name, binary, event) in events {
        let (port, mut answers) = runtime_api::serve(event.to_string()).await;
        let binary = binaries.join(&binary);
        let mut function = Command::new(&binary)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
            .env("AWS_LAMBDA_FUNCTION_NAME", binary.file_name().unwrap())
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "test")
            .env("AWS_REGION", "ap-northeast-1")
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_ENDPOINT_URL_DYNAMODB", &endpoint)
            .env("KENNIN_TABLE", &table)
            .env("KENNIN_MAIL_FROM", "no-reply@kennin.localhost")
            .env("KENNIN_SES_CONFIGURATION_SET", "")
            .env("KENNIN_SECRET", "kennin-runtime-test-secret-not-for-aws")
            .env("KENNIN_OUTBOX_DIR", outbox.path())
            .env("KENNIN_BUCKET", "kennin-runtime-documents")
            .env("KENNIN_SITE_URL", "http://127.0.0.1:3000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let answer = tokio::time::timeout(Duration::from_secs(60), answers.recv()).await;
        function.kill().ok();
        let output = function.wait_with_output().unwrap();
        let (kind, body) = answer
            .unwrap_or_else(|_| {
                panic!(
                    "{}: no answer in a minute\n{}",
                    name,
                    String::from_utf8_lossy(&output.stderr)
                )
            })
            .expect("the runtime API's channel");
        assert_eq!(
            kind,
            "response",
            "{}: {body}\n{}",
            name,
            String::from_utf8_lossy(&output.stderr)
        );
        let response: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{}: {e}: {body}", name));
        if name == "mail-events" {
            // The handler's own answer: what it did.
            assert_eq!(response["suppressed"], 1, "{name}: {body}");
            continue;
        }
        if name == "mail-schedule" {
            // The handler's own answer: how much it queued and sent.
            assert!(response["sent"].is_u64(), "{name}: {body}");
            continue;
        }
        let status = response["statusCode"].as_u64().unwrap_or(0);
        assert!((200..500).contains(&status), "{}: {body}", name);
    }
}
