//! Finds the function crates in template.yaml, so that adding a function takes no edit here:
//! each CodeUri that serves a route has its `src/lib.rs` become a module of the runner, and
//! `handler_for` maps the CodeUri to its `handle`. The runner thus serves exactly the routes the
//! template deploys. A function serving a documented route declares its `operations()`, which
//! `operations_for` finds the same way, for the API description.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../..");
    let template_path = root.join("template.yaml");
    println!("cargo:rerun-if-changed={}", template_path.display());
    let template = std::fs::read_to_string(&template_path).expect("read template.yaml");
    let functions = kennin_template::functions(&template).expect("template.yaml names its functions");
    let documented: Vec<&str> = functions
        .iter()
        .filter(|function| function.routes.iter().any(|route| route.is_documented()))
        .map(|function| function.code_uri.as_str())
        .collect();
    // A function without routes (the scheduled purge) is no handler of requests.
    let mut code_uris: Vec<&str> = functions
        .iter()
        .filter(|function| !function.routes.is_empty())
        .map(|function| function.code_uri.as_str())
        .filter(|code_uri| code_uri.starts_with("functions/"))
        .collect();
    code_uris.sort_unstable();
    code_uris.dedup();

    let mut modules =
        String::from("/// The function crates of template.yaml, each compiled in as a module.\npub mod functions {\n");
    let mut arms = String::new();
    let mut operation_arms = String::new();
    for code_uri in &code_uris {
        let folder = code_uri.trim_start_matches("functions/");
        let module = format!("kennin_{}", folder.replace('-', "_"));
        let lib = root.join(code_uri).join("src/lib.rs");
        let lib = lib
            .canonicalize()
            .unwrap_or_else(|_| panic!("{code_uri}: no src/lib.rs"));
        writeln!(
            modules,
            "    #[path = {:?}]\n    pub mod {module};",
            lib.display().to_string()
        )
        .unwrap();
        writeln!(
            arms,
            "        {code_uri:?} => |d, r| Box::pin(functions::{module}::handle(d, r)),"
        )
        .unwrap();
        if documented.contains(code_uri) {
            writeln!(
                operation_arms,
                "        {code_uri:?} => functions::{module}::operations(),"
            )
            .unwrap();
        }
    }
    modules.push_str("}\n");
    let handler_for = format!(
        "/// The function serving each CodeUri of template.yaml.\npub fn handler_for(code_uri: &str) -> Option<Handler> {{\n    let handler: Handler = match code_uri {{\n{arms}        _ => return None,\n    }};\n    Some(handler)\n}}\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("functions.rs");
    let operations_for = format!(
        "/// The operations the function of a CodeUri declares for the API description.\npub fn operations_for(code_uri: &str) -> Option<Vec<kennin::api::Operation>> {{\n    Some(match code_uri {{\n{operation_arms}        _ => return None,\n    }})\n}}\n"
    );
    std::fs::write(out, modules + &handler_for + &operations_for).expect("write functions.rs");
}
