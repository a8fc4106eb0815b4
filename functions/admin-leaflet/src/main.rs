#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run(kennin_admin_leaflet::handle).await
}
