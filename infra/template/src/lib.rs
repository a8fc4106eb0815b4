//! template.yaml, read in one place: the functions it declares, the binary each one builds and
//! the routes it serves. The local runner routes by it; the scripts ask `cargo xtask functions`,
//! and `cargo xtask deploy-layout` writes the template that is deployed next to the bootstraps.

pub mod events;

use yaml_rust2::{Yaml, YamlLoader};

/// One `AWS::Serverless::Function` of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Its name under Resources; the deploy build puts its bootstrap in a folder of that name.
    pub logical_id: String,
    pub code_uri: String,
    /// Metadata.BuildProperties.Binary, which is also its package's name.
    pub binary: String,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub function: String,
    pub code_uri: String,
    pub method: String,
    pub path: String,
}

/// Where the portal serves the API description.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

impl Route {
    /// Whether the API description declares this route: every route of the JSON API but the
    /// description itself.
    pub fn is_documented(&self) -> bool {
        self.path.starts_with("/api/") && self.path != OPENAPI_PATH
    }
}

/// Every function of the template, in the template's order.
pub fn functions(template: &str) -> Result<Vec<Function>, String> {
    let docs = YamlLoader::load_from_str(template).map_err(|e| format!("template.yaml: {e}"))?;
    let resources = docs
        .first()
        .map(|d| &d["Resources"])
        .ok_or("template.yaml: no Resources")?;
    let Yaml::Hash(resources) = resources else {
        return Err("template.yaml: Resources is not a map".into());
    };
    let mut functions = Vec::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let logical_id = name.as_str().unwrap_or_default().to_string();
        let code_uri = resource["Properties"]["CodeUri"]
            .as_str()
            .ok_or(format!("{logical_id}: no CodeUri"))?
            .to_string();
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .ok_or(format!("{logical_id}: no Metadata.BuildProperties.Binary"))?
            .to_string();
        let routes = http_routes(&logical_id, &code_uri, &resource["Properties"]["Events"])?;
        functions.push(Function {
            logical_id,
            code_uri,
            binary,
            routes,
        });
    }
    Ok(functions)
}

/// The template as it is deployed from the build folder (`scripts/deploy-build.sh`, laid out as
/// `sam build` lays out its own): every function's CodeUri is the folder named by its logical ID,
/// which holds its bootstrap. Only those lines change: the template is rewritten as text, not
/// parsed and written again, so that its comments and its `!Sub`/`!Ref` tags stay as they are.
pub fn deploy_template(template: &str) -> Result<String, String> {
    let declared = functions(template)?;
    let mut lines: Vec<String> = template.lines().map(str::to_string).collect();
    for function in &declared {
        let code_uri = format!("CodeUri: {}", function.code_uri);
        let found: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].trim() == code_uri).collect();
        let [line] = found[..] else {
            return Err(format!(
                "{}: `{code_uri}` is on {} lines of the template, not one",
                function.logical_id,
                found.len()
            ));
        };
        let indent = lines[line].len() - lines[line].trim_start().len();
        lines[line] = format!("{}CodeUri: {}", &lines[line][..indent], function.logical_id);
    }
    let deployed = lines.join("\n") + "\n";
    let moved = functions(&deployed)?;
    if moved.len() != declared.len() || moved.iter().any(|f| f.code_uri != f.logical_id) {
        return Err("the rewritten template does not point every function at its folder".into());
    }
    Ok(deployed)
}

/// Every HttpApi event of every function in the template.
pub fn routes(template: &str) -> Result<Vec<Route>, String> {
    Ok(functions(template)?.into_iter().flat_map(|f| f.routes).collect())
}

fn http_routes(function: &str, code_uri: &str, events: &Yaml) -> Result<Vec<Route>, String> {
    let Yaml::Hash(events) = events else {
        return Ok(Vec::new());
    };
    let mut routes = Vec::new();
    for event in events.values() {
        if event["Type"].as_str() != Some("HttpApi") {
            continue;
        }
        let properties = &event["Properties"];
        routes.push(Route {
            function: function.to_string(),
            code_uri: code_uri.to_string(),
            method: properties["Method"]
                .as_str()
                .ok_or(format!("{function}: no Method"))?
                .to_ascii_uppercase(),
            path: properties["Path"]
                .as_str()
                .ok_or(format!("{function}: no Path"))?
                .to_string(),
        });
    }
    Ok(routes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = include_str!("../../../template.yaml");

    #[test]
    fn every_function_names_its_binary_and_logical_id() {
        let functions = functions(TEMPLATE).unwrap();
        let identity = functions
            .iter()
            .find(|f| f.binary == "kennin-signup-identity")
            .expect("the identity step");
        assert_eq!(identity.logical_id, "SignupIdentityFunction");
        assert_eq!(identity.code_uri, "functions/signup-identity");
        assert_eq!(
            identity.routes,
            [Route {
                function: "SignupIdentityFunction".into(),
                code_uri: "functions/signup-identity".into(),
                method: "POST".into(),
                path: "/api/signup/identity".into(),
            }]
        );
        assert!(functions.iter().all(|f| f.binary.starts_with("kennin-")));
    }

    #[test]
    fn the_deploy_template_points_every_function_at_its_folder_and_changes_nothing_else() {
        let deployed = deploy_template(TEMPLATE).unwrap();
        let before = functions(TEMPLATE).unwrap();
        let after = functions(&deployed).unwrap();
        assert_eq!(after.len(), before.len());
        for (before, after) in before.iter().zip(&after) {
            assert_eq!(after.code_uri, before.logical_id);
            assert_eq!(
                (&after.binary, &after.routes.len()),
                (&before.binary, &before.routes.len())
            );
        }
        let changed: Vec<(&str, &str)> = TEMPLATE.lines().zip(deployed.lines()).filter(|(a, b)| a != b).collect();
        assert_eq!(changed.len(), before.len(), "one line per function");
        assert_eq!(
            changed[0],
            (
                "      CodeUri: functions/signup-identity",
                "      CodeUri: SignupIdentityFunction"
            )
        );
        assert_eq!(TEMPLATE.lines().count(), deployed.lines().count());
    }

    #[test]
    fn a_code_uri_that_is_not_on_one_line_of_its_own_is_refused() {
        let template = "Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: kennin-a\n    Properties: {CodeUri: functions/a}\n";
        let refused = deploy_template(template).unwrap_err();
        assert!(refused.contains("is on 0 lines"), "{refused}");
    }
}
