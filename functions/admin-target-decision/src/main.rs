#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_mailing(kennin_admin_target_decision::handle).await
}
