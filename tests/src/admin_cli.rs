//! kennin-admin, the real binary (KENNIN_ADMIN_BIN, built by scripts/test.sh), on a store of its
//! own: a data folder, or a fresh DynamoDB Local table.

use crate::{DYNAMODB_ENDPOINT_VAR, Engine, endpoint};
use kennin::aws::sdk_config;
use kennin::store::ItemStore;
use kennin::store::dynamodb::DynamoStore;
use kennin::store::sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct AdminCli {
    binary: PathBuf,
    store_args: Vec<String>,
    /// A folder of the test's own, for files the commands read or write.
    pub work: tempfile::TempDir,
}

impl AdminCli {
    /// The binary on an empty store, made ready (the folder, or the table created).
    pub async fn new(engine: Engine) -> Self {
        let binary = std::env::var_os("KENNIN_ADMIN_BIN")
            .map(PathBuf::from)
            .expect("KENNIN_ADMIN_BIN is not set: run the tests with scripts/test.sh, which builds kennin-admin");
        let work = tempfile::tempdir().expect("temporary folder");
        let store_args = match engine {
            Engine::Sqlite => {
                let data = work.path().join("data");
                std::fs::create_dir_all(&data).expect("data folder");
                vec!["--data-dir".into(), data.display().to_string()]
            }
            Engine::Dynamo => {
                let table = format!("kennin-test-{}", uuid::Uuid::new_v4().simple());
                let endpoint = endpoint(DYNAMODB_ENDPOINT_VAR);
                let sdk = sdk_config(Some(&endpoint)).await;
                let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
                store.create_table().await.expect("table created");
                vec!["--table".into(), table, "--dynamodb-endpoint".into(), endpoint]
            }
        };
        Self {
            binary,
            store_args,
            work,
        }
    }

    /// The same store, opened by the test.
    pub async fn store(&self) -> Box<dyn ItemStore> {
        match self.store_args.as_slice() {
            [_, data_dir] => {
                Box::new(SqliteStore::open(&Path::new(data_dir).join("kennin.sqlite3")).expect("sqlite store"))
            }
            [_, table, _, endpoint] => {
                let sdk = sdk_config(Some(endpoint)).await;
                Box::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table))
            }
            other => unreachable!("store arguments {other:?}"),
        }
    }

    /// Runs it with the store's arguments and none of the environment's settings.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.binary)
            .args(&self.store_args)
            .args(args)
            .env_remove("KENNIN_TABLE")
            .env_remove("KENNIN_DYNAMODB_ENDPOINT")
            .env_remove("KENNIN_SITE_URL")
            .env_remove("RUST_LOG")
            .output()
            .expect("kennin-admin runs")
    }

    /// Its stdout; fails the test unless it exited 0.
    pub fn succeeds(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Its stderr; fails the test unless it exited non-zero with nothing on stdout.
    pub fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stderr).expect("UTF-8 output")
    }

    /// Writes `text` to a file of the work folder: its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.work.path().join(name);
        std::fs::write(&path, text).expect("file written");
        path.display().to_string()
    }
}
