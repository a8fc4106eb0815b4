//! template.yaml passes cfn-lint (which also runs the SAM transform), offline.

#[test]
fn template_passes_cfn_lint() {
    let cfn_lint = std::env::var("KENNIN_CFN_LINT")
        .expect("KENNIN_CFN_LINT is not set: run the tests with scripts/test.sh, which installs cfn-lint");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    kennin_tests::assert_checker_passes(
        std::process::Command::new(cfn_lint).arg(root.join("template.yaml")),
        "cfn-lint",
    );
}
