//! The modules of the shared library form no cycle: a newcomer can read them bottom-up, and a
//! module can move or split without dragging its dependents' dependents along. The graph is read
//! from the sources with `syn` (every `crate::`, `super::` and child-module path outside test
//! code), so it sees what the compiler sees.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit_mut::VisitMut;

/// A module path below the crate root, `""` being the root itself (`lib.rs`).
type ModulePath = String;

/// Why an edge exists: the first file it was seen in, for the failure message.
type Edges = BTreeMap<(ModulePath, ModulePath), String>;

fn module_path_of(src: &Path, file: &Path) -> ModulePath {
    let relative = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.parse_args::<syn::Path>().is_ok_and(|path| path.is_ident("test"))
    })
}

/// Collects the module paths one file refers to, resolved against the modules that exist.
struct References<'a> {
    here: &'a str,
    modules: &'a BTreeSet<ModulePath>,
    file: &'a str,
    found: Vec<(ModulePath, String)>,
}

impl References<'_> {
    fn parent_of(module: &str) -> &str {
        module.rsplit_once("::").map_or("", |(parent, _)| parent)
    }

    fn join(base: &str, segment: &str) -> String {
        if base.is_empty() {
            segment.to_string()
        } else {
            format!("{base}::{segment}")
        }
    }

    /// The module a path names or lies in: `crate::store::records::Account` → `store::records`.
    fn resolve(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else { return };
        let (mut base, rest) = match first.as_str() {
            "crate" => (String::new(), &segments[1..]),
            "self" => (self.here.to_string(), &segments[1..]),
            "super" => {
                let mut base = Self::parent_of(self.here).to_string();
                let mut rest = &segments[1..];
                while rest.first().is_some_and(|s| s == "super") {
                    base = Self::parent_of(&base).to_string();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            child if self.modules.contains(&Self::join(self.here, child)) => (self.here.to_string(), segments),
            _ => return,
        };
        for segment in rest {
            let deeper = Self::join(&base, segment);
            if !self.modules.contains(&deeper) {
                break;
            }
            base = deeper;
        }
        // A module naming its own submodules (declaring or re-exporting them) is structure, not
        // a dependency: only the other direction can close a cycle.
        let inside_here = base.starts_with(&format!("{}::", self.here)) || self.here.is_empty();
        if base != self.here && !base.is_empty() && !inside_here {
            self.found.push((base, self.file.to_string()));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.resolve(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.resolve(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.resolve(&prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl VisitMut for References<'_> {
    fn visit_item_mod_mut(&mut self, item: &mut syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit_mut::visit_item_mod_mut(self, item);
        }
    }

    fn visit_item_fn_mut(&mut self, item: &mut syn::ItemFn) {
        if !is_test_only(&item.attrs) {
            syn::visit_mut::visit_item_fn_mut(self, item);
        }
    }

    fn visit_item_use_mut(&mut self, item: &mut syn::ItemUse) {
        if !is_test_only(&item.attrs) {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segments);
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // Paths inside macro calls (`format!`, `json!`, `tracing::info!`) are tokens to syn; read
        // the ones that look like paths, so a module used only inside a macro still counts.
        let tokens = flatten(mac.tokens.clone());
        let mut index = 0;
        while index < tokens.len() {
            let mut segments = vec![tokens[index].clone()];
            let mut next = index + 1;
            while let (Some(":"), Some(":"), Some(segment)) = (
                tokens.get(next).map(String::as_str),
                tokens.get(next + 1).map(String::as_str),
                tokens.get(next + 2),
            ) {
                segments.push(segment.clone());
                next += 3;
            }
            if segments.len() > 1 {
                self.resolve(&segments);
            }
            index = next;
        }
        syn::visit_mut::visit_macro_mut(self, mac);
    }
}

/// The identifiers and punctuation of a token stream, groups opened.
fn flatten(tokens: proc_macro2::TokenStream) -> Vec<String> {
    tokens
        .into_iter()
        .flat_map(|token| match token {
            proc_macro2::TokenTree::Group(group) => flatten(group.stream()),
            other => vec![other.to_string()],
        })
        .collect()
}

/// Every edge between the modules of the crate whose sources are under `src`.
fn module_edges(src: &Path) -> Edges {
    let files = rust_files(src);
    let modules: BTreeSet<ModulePath> = files.iter().map(|file| module_path_of(src, file)).collect();
    let mut edges = Edges::new();
    for file in &files {
        let here = module_path_of(src, file);
        let text = std::fs::read_to_string(file).expect("read a source file");
        let mut syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.strip_prefix(src).expect("under src").display().to_string();
        let mut references = References {
            here: &here,
            modules: &modules,
            file: &name,
            found: Vec::new(),
        };
        references.visit_file_mut(&mut syntax);
        for (target, place) in references.found {
            edges.entry((here.clone(), target)).or_insert(place);
        }
    }
    edges
}

/// The cycles among the modules, each as its modules and one place of each edge inside it.
fn cycles(edges: &Edges) -> Vec<String> {
    let mut graph = DiGraph::<&str, ()>::new();
    let mut nodes: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for (from, to) in edges.keys() {
        for module in [from, to] {
            nodes
                .entry(module.as_str())
                .or_insert_with(|| graph.add_node(module.as_str()));
        }
        graph.add_edge(nodes[from.as_str()], nodes[to.as_str()], ());
    }
    tarjan_scc(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let members: BTreeSet<&str> = component.iter().map(|&node| graph[node]).collect();
            let inside: Vec<String> = edges
                .iter()
                .filter(|((from, to), _)| members.contains(from.as_str()) && members.contains(to.as_str()))
                .map(|((from, to), place)| format!("  {from} → {to} ({place})"))
                .collect();
            format!(
                "{}\n{}",
                members.into_iter().collect::<Vec<_>>().join(" ↔ "),
                inside.join("\n")
            )
        })
        .collect()
}

#[test]
fn the_shared_library_has_no_module_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/src");
    let edges = module_edges(&src);
    assert!(edges.len() > 20, "the graph was read: {} edges", edges.len());
    let found = cycles(&edges);
    assert!(found.is_empty(), "module cycles in shared/src:\n{}", found.join("\n\n"));
}

#[test]
fn a_cycle_through_use_super_and_a_macro_path_is_found() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let src = dir.path();
    std::fs::create_dir(src.join("store")).expect("folder");
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).expect("write");
    write("lib.rs", "pub mod codes;\npub mod store;\npub mod mail;\n");
    write("store/mod.rs", "pub mod records;\npub struct Key;\n");
    write("store/records.rs", "use super::Key;\nuse crate::codes::PendingCode;\n");
    write(
        "codes.rs",
        "pub struct PendingCode;\nfn f() { let _ = format!(\"{}\", crate::store::records::X); }\n",
    );
    write(
        "mail.rs",
        "use crate::codes;\n#[cfg(test)]\nmod tests { use crate::mail; use crate::store::records; }\n",
    );
    let found = cycles(&module_edges(src));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("codes ↔ store::records"), "{}", found[0]);
    assert!(
        !found[0].contains("mail"),
        "test code is not part of the graph: {}",
        found[0]
    );
}
