#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run(kennin_user_id_forgot::handle).await
}
